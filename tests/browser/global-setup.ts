// vitest globalSetup for the projects that drive chromium (browser, and cluster for the class and
// GitOps specs): the browser is there before any file starts, so none is skipped for lack of it.
import { ensureChromium } from './chromium.ts';

export default async function setup(): Promise<void> {
  await ensureChromium((line) => console.error(line));
}
