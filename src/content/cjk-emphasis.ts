// CJK-friendly emphasis for Astro 7's Markdown engine (Sätteri).
//
// CommonMark's flanking rules leave `**차트(chart)**는` as literal asterisks: the closing `**` is
// preceded by punctuation `)` and followed by a letter `는`, so it is not right-flanking. Korean
// particles, and Chinese and Japanese text without spaces, hit this all the time. The
// CJK-friendly amendment (github.com/tats-u/markdown-cjk-friendly, specification.md) fixes it by
// letting a CJK character count where CommonMark wants whitespace or punctuation; for text
// without CJK characters it is CommonMark.
//
// Sätteri parses in Rust and runs no remark/micromark extensions (remark-cjk-friendly does not
// apply to it), but it runs mdast plugins and gives them source positions. So this plugin redoes
// CommonMark's "process emphasis" step with the amended flanking rules, per block of inline
// content (paragraph, heading, table cell; a link's text on its own, as CommonMark does):
// - the parser's emphasis/strong nodes become their delimiter runs again (read from the source
//   by position), and so do the `*`/`_` it left as text; an escaped `\*` stays text, because
//   delimiters are looked up in the source, not in the unescaped value;
// - code spans, HTML, images, breaks and links are opaque items, so nothing inside code is ever
//   touched (fenced code is not inline content at all);
// - the characters around each run are classified by micromark-extension-cjk-friendly-util (the
//   spec authors' own code for "CJK character", variation selectors included).
// A block is rebuilt only when a delimiter run touches a CJK character (or a variation selector):
// everywhere else the amended rules are CommonMark's, and the parser's tree is kept as it is.
// The rules otherwise follow Sätteri's (micromark's/markdown-rs') reading of CommonMark, so
// that the same text without CJK characters would resolve exactly as the parser did it.
import type { SatteriProcessorOptions } from '@astrojs/markdown-satteri';
import type { Heading, Paragraph, PhrasingContent, TableCell } from 'mdast';
import {
  classifyCharacter,
  classifyPrecedingCharacter,
  constantsEx,
  isCjk,
  isIvs,
  isNonCjkPunctuation,
  isSpaceOrPunctuation,
  isUnicodeWhitespace,
} from 'micromark-extension-cjk-friendly-util';

type MdastPlugin = Extract<NonNullable<SatteriProcessorOptions['mdastPlugins']>[number], { name: string }>;

/** The inline nodes this plugin reads: mdast phrasing content, positions on. */
type Inline = PhrasingContent;
type Marker = '*' | '_';

type Run = {
  kind: 'run';
  marker: Marker;
  /** Characters not yet used by an emphasis. */
  count: number;
  start: number;
  end: number;
  canOpen: boolean;
  canClose: boolean;
};
type Item =
  | { kind: 'text'; value: string }
  | Run
  | { kind: 'node'; node: Inline; raw: string }
  | { kind: 'wrap'; type: 'emphasis' | 'strong'; children: Item[] };

class Unresolvable extends Error {}

const MARKERS = /[*_]/;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const ATTENTION_MARKERS = ['*', '_', '~'];

function offsets(node: { position?: { start: { offset?: number }; end: { offset?: number } } | undefined }): [number, number] {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined) throw new Unresolvable('no source position');
  return [start, end];
}

/** The last two code points of `text` (older first), `null` where there are none. */
function lastTwo(text: string): [number | null, number | null] {
  const points = Array.from(text.slice(-4), (c) => c.codePointAt(0)!);
  return [points.at(-2) ?? null, points.at(-1) ?? null];
}
const firstOf = (text: string): number | null => text.codePointAt(0) ?? null;

/** Whether these nodes have emphasis, or text with `*` or `_` (not in code or HTML). */
function hasDelimiters(nodes: readonly Inline[]): boolean {
  return nodes.some((node) =>
    node.type === 'text' ? MARKERS.test(node.value) : node.type === 'emphasis' || node.type === 'strong' || ('children' in node && hasDelimiters(node.children as Inline[])),
  );
}

/**
 * The source offset of each `*`/`_` in a text node's value, in order: a number where the source
 * has a real delimiter character, `undefined` where it is escaped (`\*`). Throws when the value's
 * markers cannot be matched to the source (a character reference such as `&ast;`).
 */
function markerOffsets(value: string, source: string, start: number, end: number): (number | undefined)[] {
  const found: (number | undefined)[] = [];
  for (let i = start; i < end; i++) {
    const c = source[i]!;
    if (c === '\\' && i + 1 < end && ASCII_PUNCTUATION.test(source[i + 1]!)) {
      if (MARKERS.test(source[i + 1]!)) found.push(undefined);
      i++;
    } else if (c === '*' || c === '_') {
      found.push(i);
    }
  }
  const inValue = value.match(/[*_]/g)?.length ?? 0;
  if (inValue !== found.length) throw new Unresolvable('markers from character references');
  return found;
}

/** Emphasis and strong become their delimiter runs again; everything else an item. */
function flatten(nodes: readonly Inline[], source: string, out: Item[], replaced: Map<Inline, Inline>): void {
  for (const node of nodes) {
    if (node.type === 'text') {
      const [start, end] = offsets(node);
      const sourceOf = markerOffsets(node.value, source, start, end);
      let text = '';
      let k = 0;
      for (let i = 0; i < node.value.length; i++) {
        const c = node.value[i]!;
        if (c !== '*' && c !== '_') {
          text += c;
          continue;
        }
        const at = sourceOf[k++];
        if (at === undefined) {
          text += c;
          continue;
        }
        if (text) out.push({ kind: 'text', value: text });
        text = '';
        pushDelimiter(out, c, 1, at);
      }
      if (text) out.push({ kind: 'text', value: text });
    } else if (node.type === 'emphasis' || node.type === 'strong') {
      const [start, end] = offsets(node);
      const first = node.children[0];
      const last = node.children.at(-1);
      if (!first || !last) throw new Unresolvable('empty emphasis');
      const [innerStart] = offsets(first);
      const [, innerEnd] = offsets(last);
      const size = node.type === 'strong' ? 2 : 1;
      const opening = source.slice(start, innerStart);
      const closing = source.slice(innerEnd, end);
      if (opening.length !== size || closing !== opening || !/^(\*+|_+)$/.test(opening)) throw new Unresolvable('unexpected emphasis source');
      pushDelimiter(out, opening[0] as Marker, size, start);
      flatten(node.children, source, out, replaced);
      pushDelimiter(out, opening[0] as Marker, size, innerEnd);
    } else {
      const [start, end] = offsets(node);
      const raw = source.slice(start, end);
      let resolved: Inline = node;
      if ('children' in node && node.children.length > 0) {
        // A link's (or strikethrough's) text is resolved on its own, as CommonMark does.
        const [innerStart] = offsets(node.children[0]!);
        const [, innerEnd] = offsets(node.children.at(-1)!);
        const children = resolve(node.children as Inline[], source, { before: source.slice(Math.max(0, innerStart - 4), innerStart), after: source.slice(innerEnd, innerEnd + 4) });
        if (children) {
          resolved = { ...node, children } as Inline;
          replaced.set(node, resolved);
        }
      }
      out.push({ kind: 'node', node: resolved, raw });
    }
  }
}

/** A delimiter run, or more of the one just before it when they touch in the source. */
function pushDelimiter(out: Item[], marker: Marker, size: number, start: number): void {
  const previous = out.at(-1);
  if (previous?.kind === 'run' && previous.marker === marker && previous.end === start) {
    previous.count += size;
    previous.end += size;
    return;
  }
  out.push({ kind: 'run', marker, count: size, start, end: start + size, canOpen: false, canClose: false });
}

/** The text of an item as its neighbours see it (for flanking: its first or last characters). */
function textOf(item: Item | undefined, edge: string): string {
  if (!item) return edge;
  if (item.kind === 'text') return item.value;
  if (item.kind === 'run') return item.marker;
  if (item.kind === 'node') return item.raw;
  return '';
}

/**
 * Can the run open, can it close: left- and right-flanking per the CJK-friendly amendment, the
 * `_` rules of CommonMark 6.2, computed as micromark-extension-cjk-friendly does. Like micromark
 * and markdown-rs (whose rules Sätteri follows), a run directly against another attention marker
 * (`*`, `_`, GFM's `~`) in the source counts as flanking on that side.
 */
function classify(run: Run, before: string, after: string, source: string): boolean {
  const [twoPrevious, previous] = lastTwo(before);
  const next = firstOf(after);
  const beforeClass = classifyCharacter(previous);
  const beforePrimary = classifyPrecedingCharacter(beforeClass, () => twoPrevious, previous);
  const afterClass = classifyCharacter(next);
  const beforeNonCjkPunctuation = isNonCjkPunctuation(beforePrimary);
  const beforeSpaceOrNonCjkPunctuation = beforeNonCjkPunctuation || isUnicodeWhitespace(beforePrimary);
  const afterNonCjkPunctuation = isNonCjkPunctuation(afterClass);
  const afterSpaceOrNonCjkPunctuation = afterNonCjkPunctuation || isUnicodeWhitespace(afterClass);
  const beforeCjkOrIvs = isCjk(beforePrimary) || isIvs(beforeClass);
  const open =
    !afterSpaceOrNonCjkPunctuation ||
    (afterNonCjkPunctuation && (beforeSpaceOrNonCjkPunctuation || beforeCjkOrIvs)) ||
    ATTENTION_MARKERS.includes(source[run.end] ?? '');
  const close =
    !beforeSpaceOrNonCjkPunctuation ||
    (beforeNonCjkPunctuation && (afterSpaceOrNonCjkPunctuation || isCjk(afterClass))) ||
    ATTENTION_MARKERS.includes(source[run.start - 1] ?? '');
  if (run.marker === '*') {
    run.canOpen = open;
    run.canClose = close;
  } else {
    run.canOpen = open && (isSpaceOrPunctuation(beforePrimary) || !close);
    run.canClose = close && (isSpaceOrPunctuation(afterClass) || !open);
  }
  // Only a CJK character, an ideographic or a general-use variation selector next to the run
  // makes these rules differ from CommonMark's.
  return ((beforeClass | beforePrimary | afterClass) & (constantsEx.cjkOrIvs | constantsEx.nonEmojiGeneralUseVS)) !== 0;
}

/**
 * CommonMark's "process emphasis" (0.31.2, appendix), over a flat list of items. As in micromark
 * and markdown-rs, and so in Sätteri, the "rule of 3" compares what is left of the two runs,
 * not their original lengths.
 */
function processEmphasis(items: Item[]): Item[] {
  const list = [...items];
  // The delimiter stack: the runs, in order, as a doubly linked list.
  const stack = list.filter((item): item is Run => item.kind === 'run');
  const previousOf = new Map<Run, Run | null>();
  const nextOf = new Map<Run, Run | null>();
  stack.forEach((run, i) => {
    previousOf.set(run, stack[i - 1] ?? null);
    nextOf.set(run, stack[i + 1] ?? null);
  });
  const remove = (run: Run) => {
    const previous = previousOf.get(run) ?? null;
    const next = nextOf.get(run) ?? null;
    if (previous) nextOf.set(previous, next);
    if (next) previousOf.set(next, previous);
  };
  let closer: Run | null = stack[0] ?? null;
  while (closer) {
    let opener: Run | null = null;
    if (closer.canClose) {
      for (let candidate = previousOf.get(closer) ?? null; candidate; candidate = previousOf.get(candidate) ?? null) {
        const oddMatch = (closer.canOpen || candidate.canClose) && closer.count % 3 !== 0 && (candidate.count + closer.count) % 3 === 0;
        if (candidate.marker === closer.marker && candidate.canOpen && !oddMatch) {
          opener = candidate;
          break;
        }
      }
    }
    if (!opener) {
      const next: Run | null = nextOf.get(closer) ?? null;
      // A closer that found no opener and cannot open is text from now on.
      if (closer.canClose && !closer.canOpen) remove(closer);
      closer = next;
      continue;
    }
    const use = opener.count >= 2 && closer.count >= 2 ? 2 : 1;
    opener.count -= use;
    closer.count -= use;
    const from = list.indexOf(opener);
    const inner = list.splice(from + 1, list.indexOf(closer) - from - 1);
    list.splice(from + 1, 0, { kind: 'wrap', type: use === 2 ? 'strong' : 'emphasis', children: inner });
    // Runs between opener and closer are text from now on.
    for (let between = nextOf.get(opener) ?? null; between && between !== closer; between = nextOf.get(between) ?? null) remove(between);
    if (opener.count === 0) {
      list.splice(list.indexOf(opener), 1);
      remove(opener);
    }
    if (closer.count === 0) {
      list.splice(list.indexOf(closer), 1);
      const next: Run | null = nextOf.get(closer) ?? null;
      remove(closer);
      closer = next;
    }
  }
  return list;
}

function toMdast(items: Item[]): Inline[] {
  const out: Inline[] = [];
  const text = (value: string) => {
    const previous = out.at(-1);
    if (previous?.type === 'text') out[out.length - 1] = { type: 'text', value: previous.value + value };
    else out.push({ type: 'text', value });
  };
  for (const item of items) {
    if (item.kind === 'text') text(item.value);
    else if (item.kind === 'run') {
      if (item.count > 0) text(item.marker.repeat(item.count));
    } else if (item.kind === 'node') out.push(item.node);
    else out.push({ type: item.type, children: toMdast(item.children) } as Inline);
  }
  return out;
}

/** The parser's tree with the nested nodes (links…) whose own text was re-resolved swapped in. */
function swapIn(nodes: readonly Inline[], replaced: Map<Inline, Inline>): Inline[] {
  return nodes.map((node) => {
    const swapped = replaced.get(node);
    if (swapped) return swapped;
    if (node.type === 'emphasis' || node.type === 'strong') return { ...node, children: swapIn(node.children, replaced) } as Inline;
    return node;
  });
}

/**
 * Re-resolve the emphasis of one run of inline content (a paragraph's, a heading's, a link's
 * text…). `edges` is the source text just outside it: empty for a block, whose content starts
 * and ends a line. Returns the new children, or `undefined` when the parser's tree stands.
 */
export function resolve(children: readonly Inline[], source: string, edges: { before: string; after: string } = { before: '', after: '' }): Inline[] | undefined {
  if (!hasDelimiters(children)) return undefined;
  const items: Item[] = [];
  const replaced = new Map<Inline, Inline>();
  try {
    flatten(children, source, items, replaced);
  } catch (error) {
    if (error instanceof Unresolvable) return undefined;
    throw error;
  }
  let differs = false;
  items.forEach((item, i) => {
    if (item.kind === 'run' && classify(item, textOf(items[i - 1], edges.before), textOf(items[i + 1], edges.after), source)) differs = true;
  });
  if (differs) return toMdast(processEmphasis(items));
  return replaced.size > 0 ? swapIn(children, replaced) : undefined;
}

/** What the plugin uses of Sätteri's visitor context. */
type Context = { readonly source: string; setProperty(node: Readonly<Paragraph | Heading | TableCell>, key: 'children', value: readonly Inline[]): void };

/** The Sätteri mdast plugin: `markdown.processor: satteri({ mdastPlugins: [cjkFriendlyEmphasis()] })`. */
export function cjkFriendlyEmphasis(): MdastPlugin {
  const visit = (node: Readonly<Paragraph | Heading | TableCell>, ctx: Context) => {
    const children = resolve(node.children, ctx.source);
    if (children) ctx.setProperty(node, 'children', children);
  };
  return { name: 'kubernetes-labs:cjk-friendly-emphasis', options: { position: true }, paragraph: visit, heading: visit, tableCell: visit };
}
