// Which fonts chromium really drew an element's text with (DevTools' "Rendered Fonts"):
// CSS.getPlatformFontsForNode, after the page's font loads have settled. A glyph the page's web
// fonts lack is drawn by a system font (isCustomFont false) — as an empty box when no system font
// has it either.
import type { Page } from 'playwright-core';

export type DrawnFont = { familyName: string; isCustomFont: boolean; glyphCount: number };

/** Fonts that drew the text of the first element matching `selector` (user-agent shadow DOM included: an input's value). */
export async function fontsDrawing(page: Page, selector: string): Promise<DrawnFont[]> {
  await page.evaluate(async () => {
    void document.body.offsetHeight; // layout now, so every font the text needs is being loaded
    await document.fonts.ready;
  });
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    if (!nodeId) throw new Error(`nothing matches ${selector}`);
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId, selector: '*' });
    const drawn = new Map<string, DrawnFont>();
    // The element's own text, and its descendants' (an input's value sits in its shadow DOM).
    for (const id of [nodeId, ...nodeIds, ...(await shadowNodes(cdp, nodeId))]) {
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId: id });
      for (const font of fonts) {
        const key = `${font.familyName}|${font.isCustomFont}`;
        const seen = drawn.get(key);
        drawn.set(key, { familyName: font.familyName, isCustomFont: font.isCustomFont, glyphCount: (seen?.glyphCount ?? 0) + font.glyphCount });
      }
    }
    return [...drawn.values()];
  } finally {
    await cdp.detach();
  }
}

type Cdp = Awaited<ReturnType<ReturnType<Page['context']>['newCDPSession']>>;

/** Every node in `nodeId`'s shadow roots (user-agent ones too), for form fields. */
async function shadowNodes(cdp: Cdp, nodeId: number): Promise<number[]> {
  const { node } = await cdp.send('DOM.describeNode', { nodeId, depth: -1, pierce: true });
  if (!node.shadowRoots?.length) return [];
  const { nodeIds } = await cdp.send('DOM.pushNodesByBackendIdsToFrontend', { backendNodeIds: collect(node.shadowRoots) });
  return nodeIds.filter(Boolean);
}

type Described = { backendNodeId: number; children?: Described[]; shadowRoots?: Described[] };
const collect = (nodes: Described[]): number[] => nodes.flatMap((n) => [n.backendNodeId, ...collect(n.children ?? []), ...collect(n.shadowRoots ?? [])]);
