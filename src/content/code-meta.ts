// What a lesson's code fence says about its block, e.g. ```sh run  or
// ```sh illustrative reason="needs a second cluster". One parser for the page (Run/Copy
// buttons), the build (bad words fail it) and CI (which executes the runnable blocks).

export type CodeBlockMode =
  | { kind: 'run' }
  | { kind: 'illustrative'; reason: string }
  /** Not a shell block (YAML, output, …): copy only. */
  | { kind: 'plain' };

export const SHELL_LANGUAGES: ReadonlySet<string> = new Set(['sh', 'bash', 'shell', 'zsh', 'console']);

export class FenceMetaError extends Error {}

type Token = { key: string; value?: string };

function tokenize(meta: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*([A-Za-z][\w-]*)(?:=(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?/y;
  let rest = meta.trim();
  while (rest.length > 0) {
    pattern.lastIndex = 0;
    const match = pattern.exec(rest);
    if (!match || match[0].length === 0) throw new FenceMetaError(`cannot read code fence meta near ${JSON.stringify(rest.slice(0, 30))}`);
    const value = match[2] ?? match[3] ?? match[4];
    tokens.push(value === undefined ? { key: match[1]! } : { key: match[1]!, value });
    rest = rest.slice(match[0].length).trimStart();
  }
  return tokens;
}

/**
 * Reads a fence's language and meta. Throws FenceMetaError (one line) for unknown words, a
 * runnable non-shell block, an illustrative block without a reason, or a shell block that
 * says neither run nor illustrative.
 */
export function parseFenceMeta(lang: string | undefined, meta: string | undefined): CodeBlockMode {
  const language = (lang ?? '').toLowerCase();
  const tokens = tokenize(meta ?? '');
  let mode: 'run' | 'illustrative' | undefined;
  let reason: string | undefined;
  for (const token of tokens) {
    if ((token.key === 'run' || token.key === 'illustrative') && token.value === undefined) {
      if (mode) throw new FenceMetaError(`code fence says both "${mode}" and "${token.key}"`);
      mode = token.key;
    } else if (token.key === 'reason' && token.value !== undefined) {
      reason = token.value.trim();
    } else {
      throw new FenceMetaError(`unknown code fence word ${JSON.stringify(token.value === undefined ? token.key : `${token.key}=…`)} (expected run, or illustrative reason="…")`);
    }
  }
  const isShell = SHELL_LANGUAGES.has(language);
  if (mode === 'run') {
    if (!isShell) throw new FenceMetaError(`"run" is only for shell blocks (sh, bash), not ${JSON.stringify(language || 'plain text')}`);
    if (reason !== undefined) throw new FenceMetaError('reason="…" belongs to illustrative blocks, not run blocks');
    return { kind: 'run' };
  }
  if (mode === 'illustrative') {
    if (!reason) throw new FenceMetaError('an illustrative block needs reason="why it is not run"');
    return { kind: 'illustrative', reason };
  }
  if (reason !== undefined) throw new FenceMetaError('reason="…" needs the word illustrative');
  if (isShell) throw new FenceMetaError(`a ${language} block must say "run" or illustrative reason="…"`);
  return { kind: 'plain' };
}

export type LessonCodeBlock = {
  lang: string;
  meta: string;
  code: string;
  /** 1-based line of the opening fence in the Markdown source. */
  line: number;
  mode: CodeBlockMode;
};

/** All fenced code blocks of a Markdown document, with their parsed modes (throws on bad meta, naming the line). */
export function extractCodeBlocks(markdown: string): LessonCodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: LessonCodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang = '', meta = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence![0] && close[1]!.length >= fence!.length) break;
      body.push(indent && line.startsWith(indent) ? line.slice(indent.length) : line);
    }
    let mode: CodeBlockMode;
    try {
      mode = parseFenceMeta(lang, meta);
    } catch (error) {
      throw new FenceMetaError(`line ${i + 1}: ${(error as Error).message}`);
    }
    blocks.push({ lang, meta: meta.trim(), code: body.join('\n'), line: i + 1, mode });
    i = j;
  }
  return blocks;
}
