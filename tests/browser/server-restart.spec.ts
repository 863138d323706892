// An open tab outlives the server (issue #10, item 3): after a restart the terminal reconnects by
// itself, says that the old shell is gone and gives a working new one, and Check is not refused;
// after a restart with a new signing key (the page's token is no longer valid) it renews the token.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from './harness.ts';

type TerminalHandle = { text(): string; ready: boolean; session?: string };

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

const terminal = () => page.evaluate(() => {
  const t = (window as unknown as { labsTerminal?: TerminalHandle }).labsTerminal;
  return { text: t?.text() ?? '', ready: t?.ready === true, session: t?.session };
});

async function waitFor(predicate: (t: Awaited<ReturnType<typeof terminal>>) => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await terminal();
  while (!predicate(last)) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen; terminal shows:\n${last.text.split('\n').slice(-15).join('\n')}`);
    await page.waitForTimeout(150);
    last = await terminal();
  }
  return last;
}

async function run(command: string, marker: string) {
  await page.click('[data-terminal-host]');
  await page.keyboard.type(command, { delay: 3 });
  await page.keyboard.press('Enter');
  await waitFor((t) => t.text.split('\n').some((line) => line.trim() === marker), `output ${marker}`);
}

/** Restarts the server on the same port and state; `newKey` first deletes its signing key. */
async function restart(newKey: boolean) {
  const { home, port } = server;
  await server.stop({ keepHome: true });
  if (newKey) rmSync(join(home, 'data', 'secrets', 'page-token.key'));
  server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' }, { home, port });
}

/** Check my work answers with a result or a grading error, never "forbidden". */
async function checkIsNotRefused() {
  const button = page.locator('[data-lab-check]').first();
  await button.click();
  const result = page.locator('[data-lab-result]').first();
  await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 30_000 }).not.toMatch(/Checking|^$/);
  expect(await result.textContent()).not.toMatch(/forbidden|verify must come from/i);
}

beforeAll(async () => {
  server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(new URL('/en/lessons/02-probes/', server.url).href);
  await waitFor((t) => t.ready, 'first connection');
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('an open tab across server restarts', () => {
  it('keeps the page-token signing key private to its owner', () => {
    expect(statSync(join(server.home, 'data', 'secrets', 'page-token.key')).mode & 0o777).toBe(0o600);
  });

  it('reconnects by itself after a restart, says the old shell is gone, and the new one works', async () => {
    await run('echo before-$((6*7))', 'before-42');
    const before = (await terminal()).session;
    await restart(false);
    const after = await waitFor((t) => t.ready && t.session !== undefined && t.session !== before, 'reconnection to a new shell', 60_000);
    expect(after.text).toContain('before-42'); // what was on screen stays
    expect(after.text).toContain('your previous shell has ended');
    await run('echo after-$((6*7))', 'after-42');
    await checkIsNotRefused();
    await page.screenshot({ path: join(ARTIFACTS, 'server-restart-reconnected.png') });
  });

  it('renews its token when the server no longer accepts it (new signing key)', async () => {
    const before = (await terminal()).session;
    const signedIntoPage = await page.locator('[data-terminal]').getAttribute('data-token');
    await restart(true);
    // The token in the page is now worthless: only a renewed one can get back in.
    const refused = await fetch(new URL('/api/labs/2/verify', server.url), { method: 'POST', headers: { Origin: server.origin, 'x-labs-token': signedIntoPage! } });
    expect(refused.status).toBe(403);
    await waitFor((t) => t.ready && t.session !== before, 'reconnection with a renewed token', 60_000);
    await run('echo renewed-$((6*7))', 'renewed-42');
    await checkIsNotRefused();
  });
});
