// The language switch keeps the reader on the same heading. Translations share one heading
// outline (tests/unit/content-parity.spec.ts), not heading ids (slugs of different text), so a
// heading is matched by its position in the outline.

/** `href` pointing at the heading at the same position in the other language, or `href` unchanged. */
export function headingInTranslation(href: string, currentIds: readonly string[], targetIds: readonly string[], activeId: string | undefined): string {
  const withoutHash = href.replace(/#.*$/, '');
  if (!activeId || currentIds.length !== targetIds.length) return withoutHash;
  const position = currentIds.indexOf(activeId);
  if (position < 0) return withoutHash;
  return `${withoutHash}#${encodeURIComponent(targetIds[position]!)}`;
}

export type HeadingBox = { id: string; top: number; bottom: number };

/**
 * The heading the reader is at, given headings' boxes in document order and the visible band
 * [viewTop, viewBottom]: the URL's target while it is on screen, else the last heading at or
 * above a reading line a little below the top.
 */
export function activeHeading(headings: readonly HeadingBox[], viewTop: number, viewBottom: number, hashId?: string): string | undefined {
  const target = hashId ? headings.find((heading) => heading.id === hashId) : undefined;
  if (target && target.top >= viewTop - 2 && target.bottom <= viewBottom) return target.id;
  const readingLine = viewTop + Math.min(48, (viewBottom - viewTop) / 4);
  let active: string | undefined;
  for (const heading of headings) {
    if (heading.top > readingLine) break;
    active = heading.id;
  }
  return active;
}
