// A class for browser specs that test one screen, not the whole instructor flow (that is
// classroom-ui.spec.ts): the server in classroom mode without environments, the instructor
// signed in and a class made over the API from a page of this origin, learners joined by the
// join page's own form.
import { join as joinPath } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from './harness.ts';

const ADMIN = { username: 'teacher', password: 'correct-horse-battery' };

export function startClassroomServer(): Promise<RunningServer> {
  return startServer({ LABS_CLASSROOM_ADMIN: `${ADMIN.username}:${ADMIN.password}` }, undefined, ['--classroom', '--environments', 'none', '--host', '127.0.0.1']);
}

/** POST from inside the page (its origin, its cookies); throws unless the answer is 2xx. */
async function post<T>(page: Page, path: string, body: unknown, csrf?: string): Promise<T> {
  const answer = await page.evaluate(
    async ({ path, body, csrf }) => {
      const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: JSON.stringify(body) });
      return { status: response.status, body: await response.text() };
    },
    { path, body, csrf },
  );
  if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as T;
}

export type Instructor = { page: Page; csrf: string };
export type Class = { id: number; joinCode: string };

/** Signs the instructor in on a page of `context` (left on /en/classroom/). */
export async function signIn(context: BrowserContext, server: RunningServer): Promise<Instructor> {
  const page = await context.newPage();
  await page.goto(new URL('/en/classroom/', server.url).href);
  const { csrf } = await post<{ csrf: string }>(page, '/api/classroom/login', ADMIN);
  return { page, csrf };
}

export function createClass(instructor: Instructor, name: string, labs = [1, 2]): Promise<Class> {
  return post<Class>(instructor.page, '/api/classroom/cohorts', { name, labs, capacity: 10 }, instructor.csrf);
}

export function broadcast(instructor: Instructor, cohort: Class, message: string): Promise<unknown> {
  return post(instructor.page, `/api/classroom/cohorts/${cohort.id}/broadcast`, { message }, instructor.csrf);
}

/** Types `name` into the join page of `language` and waits for the lesson page it leads to. */
export async function join(page: Page, server: RunningServer, cohort: Class, name: string, language = 'en'): Promise<void> {
  await page.goto(new URL(`/${language}/join/?code=${cohort.joinCode}`, server.url).href);
  await page.fill('[data-cr-join-form] input[name="name"]', name);
  await page.click('[data-cr-join-form] button[type="submit"]');
  await page.waitForURL(/\/lessons\//, { timeout: 15_000 });
  await page.locator('[data-classroom-strip]').waitFor();
}

/** A learner who joins without a browser (their pages are not under test): POST /join as a page would. */
export async function joinOverHttp(server: RunningServer, cohort: Class, name: string): Promise<void> {
  const response = await fetch(new URL('/api/classroom/join', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.origin },
    body: JSON.stringify({ code: cohort.joinCode, name }),
  });
  if (!response.ok) throw new Error(`join as ${name}: ${response.status} ${await response.text()}`);
}

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

/** Browsers a spec opens (a fresh profile each: its own cookies), all closed by `closeAll` (its afterAll). */
export function specBrowsers() {
  const opened: Browser[] = [];
  return {
    async browser(): Promise<Browser> {
      const browser = await launchBrowser();
      opened.push(browser);
      return browser;
    },
    async closeAll(): Promise<void> {
      for (const browser of opened.splice(0)) await browser.close().catch(() => {});
    },
  };
}

/** Screenshots into `dir`, of the page's first screen (scrolled to the top: the header is sticky). */
export const screenshotsIn = (dir: string) => async (page: Page, name: string): Promise<void> => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: joinPath(dir, name), fullPage: false });
};
