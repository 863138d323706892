// Emphasis in Korean (and Chinese and Japanese) lessons: CommonMark leaves `**차트(chart)**는` as
// literal asterisks; the site renders Markdown with the CJK-friendly emphasis plugin
// (src/content/cjk-emphasis.ts). Lessons are rendered here the way the build does: the
// `markdown` section of astro.config.mjs, its processor's renderer, the body without front matter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { satteri } from '@astrojs/markdown-satteri';
import { parseFrontmatter } from 'astro/markdown';
import type { MarkdownRenderer } from 'astro/markdown';
import { beforeAll, describe, expect, it } from 'vitest';
import config from '../../astro.config.mjs';
import { contentDir, lessonEntries } from '../course/lessons.ts';

const markdown = config.markdown!;
let site: MarkdownRenderer;
let plain: MarkdownRenderer;
beforeAll(async () => {
  // Astro's default processor is plain `satteri()`.
  site = await (markdown.processor ?? satteri()).createRenderer({ shikiConfig: markdown.shikiConfig });
  plain = await satteri().createRenderer({ shikiConfig: markdown.shikiConfig });
});

async function renderLesson(renderer: MarkdownRenderer, entry: string): Promise<string> {
  const file = join(contentDir, entry);
  const { frontmatter, content } = parseFrontmatter(readFileSync(file, 'utf8'));
  return (await renderer.render(content.trim(), { frontmatter, fileURL: pathToFileURL(file) })).code;
}
const render = async (source: string) => (await site.render(source)).code.trim();
const outsideCode = (html: string) => html.replace(/<pre[\s>][\s\S]*?<\/pre>/g, '').replace(/<code[\s>][\s\S]*?<\/code>/g, '');
/** Each literal `**` / `__` outside code, with a little text around it. */
const literalDelimiters = (html: string) => [...outsideCode(html).matchAll(/.{0,20}(?:\*\*|__).{0,20}/g)].map((match) => match[0]);

const lessons = [...lessonEntries('en'), ...lessonEntries('ko')];

describe('rendered lessons', () => {
  it('are all found, in both languages', () => {
    expect(lessonEntries('en').length).toBeGreaterThanOrEqual(7);
    expect(lessonEntries('ko').length).toBe(lessonEntries('en').length);
  });

  it.each(lessons)('%s shows no literal ** or __ outside code', async (entry) => {
    expect(literalDelimiters(await renderLesson(site, entry))).toEqual([]);
  });

  // Korean writes a range with a tilde (3~6초), and GFM reads two single tildes in a paragraph as
  // strikethrough: ko/02-probes once showed half its liveness timeline struck out. The course never
  // means strikethrough, so write such a range as 3\~6.
  it.each(lessons)('%s strikes nothing through', async (entry) => {
    const struck = [...(await renderLesson(site, entry)).matchAll(/<(del|s)>([\s\S]*?)<\/\1>/g)].map((match) => match[2]!.slice(0, 60));
    expect(struck).toEqual([]);
  });

  it.each(lessonEntries('en'))('%s renders exactly as CommonMark does (the plugin changes only CJK text)', async (entry) => {
    expect(await renderLesson(site, entry)).toBe(await renderLesson(plain, entry));
  });
});

describe('CJK-friendly emphasis', () => {
  it.each([
    ['**차트(chart)**는 Helm의 패키지입니다.', '<p><strong>차트(chart)</strong>는 Helm의 패키지입니다.</p>'],
    ['**프로브(probe)**는 점검입니다.', '<p><strong>프로브(probe)</strong>는 점검입니다.</p>'],
    ['새 **리비전(revision)**을 기록합니다.', '<p>새 <strong>리비전(revision)</strong>을 기록합니다.</p>'],
    ['**차트(chart)**는 **foo** 그리고 *값(values)*은', '<p><strong>차트(chart)</strong>는 <strong>foo</strong> 그리고 <em>값(values)</em>은</p>'],
    ['***강조(x)***는', '<p><em><strong>강조(x)</strong></em>는</p>'],
    ['これは**「重要なこと」**です。', '<p>これは<strong>「重要なこと」</strong>です。</p>'],
    ['这是**我想做的事。**所以继续。', '<p>这是<strong>我想做的事。</strong>所以继续。</p>'],
    ['그리고 **`helm`(도구)**를 써요', '<p>그리고 <strong><code>helm</code>(도구)</strong>를 써요</p>'],
    ['[**링크(link)**는](https://example.com) 그리고', '<p><a href="https://example.com"><strong>링크(link)</strong>는</a> 그리고</p>'],
    ['~~**취소(x)**는~~', '<p><del><strong>취소(x)</strong>는</del></p>'],
    ['첫 줄  \n**둘(2)**째', '<p>첫 줄<br>\n<strong>둘(2)</strong>째</p>'],
    ['> **인용(quote)**은 "따옴표"', '<blockquote>\n<p><strong>인용(quote)</strong>은 “따옴표”</p>\n</blockquote>'],
    ['## **제목(title)**은', '<h2 id="제목title은"><strong>제목(title)</strong>은</h2>'],
    ['| a |\n| - |\n| **셀(cell)**은 |', '<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td><strong>셀(cell)</strong>은</td>\n</tr>\n</tbody>\n</table>'],
  ])('%j', async (source, html) => {
    expect(await render(source)).toBe(html);
  });

  it.each([
    // Code is code: spans and fences keep their asterisks.
    ['`**차트(chart)**는`', '<p><code>**차트(chart)**는</code></p>'],
    // Escaped asterisks are text, in any language.
    ['\\*\\*차트(chart)\\*\\*는', '<p>**차트(chart)**는</p>'],
    // `_` inside a word is never emphasis (CommonMark, and the CJK-friendly rules alike).
    ['__차트(chart)__는 snake_case_name', '<p>__차트(chart)__는 snake_case_name</p>'],
    // Without CJK text CommonMark stands: `b` after `)**` is not a CJK character.
    ['**foo(bar)**baz', '<p>**foo(bar)**baz</p>'],
  ])('leaves %j alone', async (source, html) => {
    expect(await render(source)).toBe(html);
  });

  it('changes nothing in text without CJK characters (2,000 random snippets of emphasis, links, code, HTML, escapes)', async () => {
    let seed = 11;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pieces = ['*', '*', '*', '_', '_', 'a', 'é', ' ', '(', ')', '.', '"', '`', '[', ']', '](u)', '\\', '~', '~~', '&amp;', '&ast;', '<b>', '\n', '\n> ', '\n- '];
    const differences: string[] = [];
    for (let n = 0; n < 2000; n++) {
      const source = Array.from({ length: 2 + Math.floor(random() * 16) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      if (/`{3}|~{3}/.test(source)) continue; // a code fence: the site wants its meta, and it has no emphasis
      if ((await site.render(source)).code !== (await plain.render(source)).code) differences.push(source);
    }
    expect(differences).toEqual([]);
  });

  it('keeps fenced code byte for byte', async () => {
    const html = await render('```sh illustrative reason="example"\necho "**차트(chart)**는"\n```');
    expect(html).toContain('**');
    expect(html).not.toContain('<strong>');
  });
});
