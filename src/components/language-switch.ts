// On a lesson page the language switch links to the heading the reader is at, translated: the
// page lists its own heading ids on the switch and each language's ids on its link (see
// [slug].astro). Computed when the link is used, so scrolling never rewrites the DOM.
import { activeHeading, headingInTranslation, type HeadingBox } from './heading-map.ts';

const ids = (element: Element | null): string[] => {
  try {
    const parsed: unknown = JSON.parse(element?.getAttribute('data-heading-ids') ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
};

/** The visible band of whatever scrolls the lesson: its pane in the split view, else the window. */
function viewBand(): { top: number; bottom: number } {
  const pane = document.querySelector<HTMLElement>('[data-lesson-pane]');
  if (pane && pane.scrollHeight > pane.clientHeight && getComputedStyle(pane).overflowY !== 'visible') {
    const box = pane.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom };
  }
  return { top: 0, bottom: window.innerHeight };
}

function currentHeading(currentIds: string[]): string | undefined {
  const boxes: HeadingBox[] = [];
  for (const id of currentIds) {
    const box = document.getElementById(id)?.getBoundingClientRect();
    if (box) boxes.push({ id, top: box.top, bottom: box.bottom });
  }
  let hashId: string | undefined;
  try {
    hashId = decodeURIComponent(location.hash.slice(1)) || undefined;
  } catch {
    hashId = undefined;
  }
  const band = viewBand();
  return activeHeading(boxes, band.top, band.bottom, hashId);
}

const nav = document.querySelector('.language-switch[data-heading-ids]');
if (nav) {
  const currentIds = ids(nav);
  const retarget = (event: Event) => {
    const link = (event.target as Element | null)?.closest<HTMLAnchorElement>('a[data-heading-ids]');
    if (!link || link.getAttribute('aria-current') === 'true') return;
    link.href = headingInTranslation(link.href, currentIds, ids(link), currentHeading(currentIds));
  };
  // Before the browser follows the link: click, middle click, keyboard Enter (a click), context menu.
  for (const type of ['click', 'auxclick', 'contextmenu', 'pointerdown', 'focusin']) nav.addEventListener(type, retarget);
}
