// The Korean glyphs of the page chrome ("한국어" in the language switch) ship as a tiny subset of
// Noto Sans KR on every page (src/styles/ui-font.ts); Korean pages load the whole font.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { staleUiFontFiles, uiCharacters, UI_FONT_CSS } from '../../src/styles/ui-font.ts';

describe('the page chrome font', () => {
  it('covers every character of the language names that Inter lacks', () => {
    expect(uiCharacters()).toEqual(expect.arrayContaining(['한', '국', '어']));
    const css = readFileSync(UI_FONT_CSS, 'utf8');
    for (const c of uiCharacters()) expect(css).toContain(`U+${c.codePointAt(0)!.toString(16).toUpperCase()}`);
  });

  it('is committed as generated (run `node src/styles/ui-font.ts` after changing the language names)', async () => {
    expect(await staleUiFontFiles()).toEqual([]);
  });

  it('is imported by the site stylesheet, and the font stack uses it after the full Korean font', () => {
    const global = readFileSync(new URL('../../src/styles/global.css', import.meta.url), 'utf8');
    expect(global).toContain("@import './noto-sans-kr-ui.css';");
    expect(global).toMatch(/--font-sans: 'Inter Variable', 'Noto Sans KR Variable', 'Noto Sans KR UI'/);
  });
});
