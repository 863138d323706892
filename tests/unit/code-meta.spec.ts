import { describe, expect, it } from 'vitest';
import { FenceMetaError, extractCodeBlocks, parseFenceMeta } from '../../src/content/code-meta.ts';

describe('code fence meta', () => {
  it.each([
    ['sh', 'run', { kind: 'run' }],
    ['bash', ' run ', { kind: 'run' }],
    ['sh', 'illustrative reason="watches until Ctrl+C"', { kind: 'illustrative', reason: 'watches until Ctrl+C' }],
    ['sh', "illustrative reason='needs two clusters'", { kind: 'illustrative', reason: 'needs two clusters' }],
    ['sh', 'reason="order does not matter" illustrative', { kind: 'illustrative', reason: 'order does not matter' }],
    ['yaml', undefined, { kind: 'plain' }],
    ['text', '', { kind: 'plain' }],
    [undefined, undefined, { kind: 'plain' }],
  ])('```%s %s', (lang, meta, expected) => {
    expect(parseFenceMeta(lang, meta)).toEqual(expected);
  });

  it.each([
    ['sh', undefined, 'must say "run" or illustrative'],
    ['sh', 'runn', 'unknown code fence word "runn"'],
    ['sh', 'run illustrative reason="x"', 'both'],
    ['sh', 'illustrative', 'needs reason='],
    ['sh', 'illustrative reason=""', 'needs reason='],
    ['sh', 'run reason="x"', 'belongs to illustrative'],
    ['yaml', 'run', 'only for shell blocks'],
    ['sh', 'title="x"', 'unknown code fence word'],
    ['sh', 'illustrative reason="unterminated', 'cannot read'],
  ])('rejects ```%s %s', (lang, meta, message) => {
    expect(() => parseFenceMeta(lang, meta)).toThrow(FenceMetaError);
    expect(() => parseFenceMeta(lang, meta)).toThrow(message);
  });

  it('extracts blocks with their lines, code and modes (what CI runs)', () => {
    const markdown = [
      '# Title',
      '',
      '```sh run',
      'kubectl get nodes',
      'kubectl get pods -A',
      '```',
      '',
      '```yaml',
      'kind: Pod',
      '```',
      '',
      '````sh illustrative reason="shows a fence"',
      '```',
      '````',
    ].join('\n');
    expect(extractCodeBlocks(markdown)).toEqual([
      { lang: 'sh', meta: 'run', code: 'kubectl get nodes\nkubectl get pods -A', line: 3, mode: { kind: 'run' } },
      { lang: 'yaml', meta: '', code: 'kind: Pod', line: 8, mode: { kind: 'plain' } },
      { lang: 'sh', meta: 'illustrative reason="shows a fence"', code: '```', line: 12, mode: { kind: 'illustrative', reason: 'shows a fence' } },
    ]);
  });

  it('names the line of a bad fence', () => {
    expect(() => extractCodeBlocks('text\n\n```sh\nls\n```\n')).toThrow(/^line 3: /);
  });
});
