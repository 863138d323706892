// The Korean glyphs of the page chrome ("한국어" in the language switch) ship as a tiny subset of
// Noto Sans KR (src/styles/ui-font.ts), ahead of the whole font that every page links.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needsNotoSansKr, staleUiFontFiles, uiCharacters, UI_FONT_CSS } from '../../src/styles/ui-font.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');

describe('the page chrome font', () => {
  it('covers every character of the language names that Inter lacks', () => {
    expect(uiCharacters()).toEqual(expect.arrayContaining(['한', '국', '어']));
    const css = readFileSync(UI_FONT_CSS, 'utf8');
    for (const c of uiCharacters()) expect(css).toContain(`U+${c.codePointAt(0)!.toString(16).toUpperCase()}`);
  });

  it('covers every mark the pages\' own code draws that Inter lacks (else one arrow fetches a 17–25 kB slice of the full font)', () => {
    const sources = ['components', 'pages', 'layouts'].flatMap((dir) =>
      readdirSync(join(SRC, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.(ts|astro)$/.test(file) && !file.endsWith('.spec.ts'))
        .map((file) => readFileSync(join(SRC, dir, file), 'utf8')),
    );
    // Korean words are the whole font's (Korean pages load what they use); marks are this cut's.
    const marks = new Set([...sources.join('')].filter((c) => !/[\p{Script=Hangul}\p{Script=Han}]/u.test(c) && needsNotoSansKr(c)));
    expect([...marks].filter((c) => !uiCharacters().includes(c))).toEqual([]);
  });

  it('is committed as generated (run `node src/styles/ui-font.ts` after changing the language names or CHROME_MARKS)', async () => {
    expect(await staleUiFontFiles()).toEqual([]);
  });

  it('is imported by the site stylesheet, and the font stack uses it before the full Korean font (which would fetch ~29 kB for "한국어")', () => {
    const global = readFileSync(new URL('../../src/styles/global.css', import.meta.url), 'utf8');
    expect(global).toContain("@import './noto-sans-kr-ui.css';");
    expect(global).toMatch(/--font-sans: 'Inter Variable', 'Noto Sans KR UI', 'Noto Sans KR Variable'/);
  });
});
