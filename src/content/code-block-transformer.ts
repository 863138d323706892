// Shiki transformer that turns each highlighted fence into a code block with a toolbar:
// "Copy" everywhere, "Run" on ```sh run blocks, an "example" badge with the reason on
// illustrative ones. Astro 7's Markdown engine (Sätteri) runs no remark/rehype plugins but
// passes the fence meta to Shiki, so this is where the meta is read. Bad meta fails the build.
import type { Element, ElementContent, Root } from 'hast';
import type { ShikiTransformer } from 'shiki';
import { FenceMetaError, parseFenceMeta, type CodeBlockMode } from './code-meta.ts';

const h = (tagName: string, properties: Element['properties'], children: ElementContent[] = []): Element => ({
  type: 'element',
  tagName,
  properties,
  children,
});
const text = (value: string): ElementContent => ({ type: 'text', value });

/**
 * Ids of the elements that name the buttons in the page's language: the lesson page renders them
 * (one code block serves every page; the visible words come from CSS by :lang()).
 */
export const COPY_LABEL = 'code-copy-label';
export const RUN_LABEL = 'code-run-label';

function toolbar(lang: string, mode: CodeBlockMode): Element {
  const items: ElementContent[] = [h('span', { className: ['code-lang'] }, [text(lang || 'text')])];
  if (mode.kind === 'illustrative') {
    items.push(h('span', { className: ['code-badge'], title: mode.reason, dataReason: mode.reason }, [h('span', { className: ['i18n-example'] })]));
  }
  items.push(h('span', { className: ['code-spacer'] }));
  items.push(
    h('button', { type: 'button', className: ['code-button'], dataAction: 'copy', ariaLabelledBy: [COPY_LABEL] }, [
      h('span', { className: ['i18n-copy'], ariaHidden: 'true' }),
    ]),
  );
  if (mode.kind === 'run') {
    items.push(
      h('button', { type: 'button', className: ['code-button', 'code-run'], dataAction: 'run', ariaLabelledBy: [RUN_LABEL] }, [
        h('span', { className: ['i18n-run'], ariaHidden: 'true' }),
      ]),
    );
  }
  return h('div', { className: ['code-toolbar'] }, items);
}

export function codeBlockTransformer(): ShikiTransformer {
  let mode: CodeBlockMode = { kind: 'plain' };
  return {
    name: 'kubernetes-labs:code-blocks',
    preprocess(code) {
      const meta = this.options.meta?.__raw;
      try {
        mode = parseFenceMeta(this.options.lang, meta);
      } catch (error) {
        if (error instanceof FenceMetaError) {
          const firstLine = code.split('\n', 1)[0]?.slice(0, 60) ?? '';
          throw new FenceMetaError(`${error.message} — in the \`\`\`${this.options.lang} ${meta ?? ''} block starting ${JSON.stringify(firstLine)}`);
        }
        throw error;
      }
      return code;
    },
    pre(node) {
      node.properties.dataMode = mode.kind;
    },
    root(root: Root) {
      const pre = root.children.find((child): child is Element => child.type === 'element' && child.tagName === 'pre');
      if (!pre) return;
      const wrapper = h('div', { className: ['code-block'], dataMode: mode.kind }, [toolbar(this.options.lang ?? '', mode), pre]);
      root.children = root.children.map((child) => (child === pre ? wrapper : child));
    },
  };
}
