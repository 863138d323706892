// A learner's terminal in a browser page, for the cluster suite's class tests: read what it
// shows (window.labsTerminal, terminal-pane.ts), wait for it, and type into it as a person would.
import type { Page } from 'playwright-core';

const MINUTE = 60_000;

export type Terminal = { ready: boolean; text(): string };

export const terminalText = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { labsTerminal: Terminal }).labsTerminal.text());

/** Resolves with the terminal's text once it matches `pattern`; throws with its last lines after `timeoutMs`. */
export async function waitForTerminal(page: Page, pattern: RegExp, timeoutMs = 2 * MINUTE): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page).catch(() => '');
    if (pattern.test(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`terminal never showed ${pattern}; it shows:\n${text.split('\n').slice(-25).join('\n')}`);
}

/** The terminal is connected (within `timeoutMs`: the environment may still be being made) and shows a prompt. */
export async function terminalReady(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { labsTerminal?: Terminal }).labsTerminal?.ready === true, null, { timeout: timeoutMs, polling: 500 });
  await waitForTerminal(page, /\$\s*$/m, 2 * MINUTE);
}

/** Types lines into the page's terminal as a learner would, Enter after each. */
export async function type(page: Page, ...lines: string[]): Promise<void> {
  await page.click('[data-terminal-host]');
  for (const line of lines) {
    await page.keyboard.type(line, { delay: 2 });
    await page.keyboard.press('Enter');
  }
}
