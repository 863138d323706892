// Classroom mode's pages (issue #12) in chromium against the real server in classroom mode
// (`start.ts --classroom --environments none`: cohorts, joining and the dashboard without Docker;
// every learner's environment then reads "error" with the reason). The instructor signs in,
// creates a class and sees its join code; learners join from other browsers and appear on the
// dashboard live (no reload); a message to everyone, and "an instructor is watching your
// terminal", reach a learner's lesson page; raised hands arrive and are dismissed; hostile
// display names stay text; the CSV export downloads; the join page says why a join failed; the
// printable join page has the code and a QR code; ending the class reaches the learner. Grading
// results are written to the server's database as the grader records them (this server has no
// clusters): labs a learner never started add nothing to "What is failing", and a learner's
// drawer shows their own failing tasks, expected and observed.
// Screenshots (en, ko; 390 and 1440 px) in test-results/classroom/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import { listLabs } from '../../grader/catalog.ts';
import { PROTOCOL_VERSION } from '../../src/terminal/protocol.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from './harness.ts';

/** What `labs verify <n> --json` reports for every lab on a cluster where the learner did nothing. */
const UNTOUCHED = JSON.parse(readFileSync(join(import.meta.dirname, '../unit/testdata/classroom/results-untouched.json'), 'utf8')) as LabResult[];

const ADMIN = { username: 'teacher', password: 'correct-horse-battery' };
const HOSTILE = '<img src=x onerror=alert(1)>';
const LONG_NAME = 'Maximiliana Bartholomew-Featherstonehaugh'.slice(0, 40);
const SHOTS = join(ARTIFACTS, 'classroom');

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

let server: RunningServer;
let teacher: Browser;
const learners: Browser[] = [];
let dashboard: Page;
let cohort: { id: number; code: string };
/** Alerts any page opened (a display name that ran as HTML would open one). */
const alerts: string[] = [];

async function newPage(context: BrowserContext, width = 1440): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (dialog) => {
    alerts.push(dialog.message());
    void dialog.dismiss();
  });
  await page.setViewportSize({ width, height: 900 });
  return page;
}

async function learnerBrowser(): Promise<Browser> {
  const browser = await launchBrowser();
  learners.push(browser);
  return browser;
}

/** Joins the class from a fresh browser; resolves on the lesson page it lands on. */
async function joinClass(name: string, code = cohort.code): Promise<Page> {
  const { context } = await learnerBrowser();
  const page = await newPage(context, 1440);
  await page.goto(new URL(`/join?code=${code}`, server.url).href);
  await page.fill('[data-cr-join-form] input[name="name"]', name);
  await page.click('[data-cr-join-form] button[type="submit"]');
  await page.waitForURL(/\/lessons\//, { timeout: 15_000 });
  await page.locator('[data-classroom-strip]').waitFor();
  return page;
}

/** A screenshot in test-results/classroom/, from the top of the page (the header is sticky). */
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, name), fullPage });
}

async function gridNames(page: Page): Promise<string[]> {
  return page.locator('[data-cr-grid-body] [data-cr-open]').allTextContents();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ LABS_CLASSROOM_ADMIN: `${ADMIN.username}:${ADMIN.password}` }, undefined, ['--classroom', '--environments', 'none', '--host', '127.0.0.1']);
  teacher = await launchBrowser();
});
afterAll(async () => {
  for (const browser of learners) await browser.close().catch(() => {});
  await teacher?.close();
  await server?.stop();
});

describe('the instructor', () => {
  let page: Page;
  beforeAll(async () => {
    page = await newPage(teacher.context);
  });

  it('lands on the sign-in form from /classroom/, and a wrong password says so', async () => {
    await page.goto(new URL('/classroom/', server.url).href);
    expect(new URL(page.url()).pathname).toBe('/en/classroom/');
    await page.locator('[data-cr-login-form]').waitFor();
    expect(await page.locator('[data-cr-classes]').isHidden()).toBe(true);
    await page.fill('input[name="username"]', ADMIN.username);
    await page.fill('input[name="password"]', 'not-the-password');
    await page.click('[data-cr-login-form] button[type="submit"]');
    const error = page.locator('[data-cr-login-error]');
    await error.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await error.textContent()).toBe('Wrong username or password.');
    expect(await page.locator('[data-cr-classes]').isHidden()).toBe(true);
  });

  it('signs in with the right password and sees the (empty) list of classes', async () => {
    await page.fill('input[name="password"]', ADMIN.password);
    await page.click('[data-cr-login-form] button[type="submit"]');
    await page.locator('[data-cr-classes]').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('[data-cr-login]').isHidden()).toBe(true);
    expect(await page.locator('[data-cr-no-cohorts]').isVisible()).toBe(true);
    // The session survives a reload (server-rendered as signed in).
    await page.reload();
    expect(await page.locator('[data-cr-classes]').isVisible()).toBe(true);
  });

  it('creates a class from the lab catalog and shows its join code', async () => {
    const labs = page.locator('[data-cr-create] input[name="labs"]');
    expect(await labs.count()).toBeGreaterThanOrEqual(8);
    // Labs 1, 2 and 4 only.
    for (const n of ['3', '5', '6', '7', '8']) await page.uncheck(`[data-cr-create] input[name="labs"][value="${n}"]`);
    await page.fill('[data-cr-create] input[name="name"]', 'Kubernetes basics <b>Tuesday</b>');
    await page.fill('[data-cr-create] input[name="capacity"]', '12');
    await page.click('[data-cr-create] button[type="submit"]');
    const fresh = page.locator('[data-cr-cohorts] [data-fresh]');
    await fresh.waitFor({ timeout: 10_000 });
    const code = (await fresh.locator('[data-join-code]').getAttribute('data-join-code'))!;
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(await fresh.locator('.cr-cohort-name').textContent()).toBe('Kubernetes basics <b>Tuesday</b>');
    expect(await fresh.locator('.cr-cohort-name b').count()).toBe(0);
    expect(await fresh.locator('.cr-cohort-meta').textContent()).toContain('labs 1, 2, 4');
    const href = (await fresh.locator('a', { hasText: 'Dashboard' }).getAttribute('href'))!;
    cohort = { id: Number(/cohorts\/(\d+)\//.exec(href)![1]), code };
    await shot(page, 'classes-en-1440.png');
  });

  it('refuses a class without labs, in words', async () => {
    for (const box of await page.locator('[data-cr-create] input[name="labs"]').all()) await box.uncheck();
    await page.fill('[data-cr-create] input[name="name"]', 'Empty');
    await page.click('[data-cr-create] button[type="submit"]');
    expect(await page.locator('[data-cr-create-error]').textContent()).toBe('Pick at least one lab.');
  });

  it('opens the dashboard: no learners yet, the join code, a live feed', async () => {
    dashboard = await newPage(teacher.context);
    await dashboard.goto(new URL(`/en/classroom/cohorts/${cohort.id}/`, server.url).href);
    await dashboard.locator('[data-cr-live][data-state="live"]').waitFor({ timeout: 15_000 });
    expect(await dashboard.locator('[data-cr-join-code]').getAttribute('data-join-code')).toBe(cohort.code);
    expect(await dashboard.locator('[data-cr-cohort-name]').textContent()).toBe('Kubernetes basics <b>Tuesday</b>');
    expect(await dashboard.locator('[data-cr-no-learners]').textContent()).toContain(cohort.code.slice(0, 3));
    // A marker that a reload would wipe: everything below must arrive without one.
    await dashboard.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  });

  it('has a printable join page: address, code in big type, and a QR code drawn offline', async () => {
    const print = await newPage(teacher.context);
    const requests: string[] = [];
    print.on('request', (request) => requests.push(request.url()));
    await print.goto(new URL(`/en/classroom/cohorts/${cohort.id}/print/`, server.url).href);
    await print.locator('[data-cr-sheet]').waitFor({ state: 'visible' });
    expect(await print.locator('[data-cr-join-url]').textContent()).toBe(`${new URL(print.url()).origin}/join`);
    expect(await print.locator('[data-cr-join-code]').getAttribute('data-join-code')).toBe(cohort.code);
    const qr = print.locator('[data-cr-qr]');
    expect(await qr.getAttribute('data-qr-text')).toBe(`${new URL(print.url()).origin}/join?code=${cohort.code}`);
    expect((await qr.locator('path').getAttribute('d'))!.length).toBeGreaterThan(500);
    expect(requests.every((url) => url.startsWith(server.origin))).toBe(true);
    await shot(print, 'print-en-1440.png');
    await print.close();
  });
});

describe('learners joining, live on the dashboard', () => {
  let ana: Page;

  it('a learner joins from another browser and appears in the grid without a reload', async () => {
    ana = await joinClass('Ana');
    expect(new URL(ana.url()).pathname).toBe('/en/lessons/02-probes/');
    await expect.poll(() => gridNames(dashboard), { timeout: 10_000 }).toEqual(['Ana']);
    expect(await dashboard.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // Their environment's state and, when it is not ready, why (this server makes none).
    const environment = dashboard.locator('[data-cr-grid-body] tr[data-learner="1"] .cr-row-env');
    expect(await environment.locator('.cr-env-badge').getAttribute('data-state')).toBe('error');
    expect(await environment.locator('.cr-env-message').textContent()).toContain('--environments none');
  });

  it('shows the learner their name, class and resume code, prominently after joining', async () => {
    expect(await ana.locator('[data-cr-strip-name]').textContent()).toBe('Ana');
    expect(await ana.locator('[data-cr-strip-class]').textContent()).toBe('Kubernetes basics <b>Tuesday</b>');
    const resume = ana.locator('[data-cr-strip-resume]');
    await resume.waitFor({ state: 'visible' });
    expect(await resume.textContent()).toMatch(/Continue on another device with code [A-Z2-9]{5} [A-Z2-9]{5}/);
    await shot(ana, 'lesson-strip-en-1440.png', false);
    await ana.click('[data-cr-resume-ok]');
    expect(await resume.isHidden()).toBe(true);
  });

  it('continues on another device with the resume code', async () => {
    await ana.click('[data-cr-strip-resume-toggle]');
    const code = /code ([A-Z2-9 ]+)/.exec((await ana.locator('[data-cr-resume-line]').textContent())!)![1]!;
    const { context } = await learnerBrowser();
    const phone = await newPage(context, 390);
    await phone.goto(new URL('/ko/join/', server.url).href);
    await phone.fill('[data-cr-resume-form] input[name="code"]', 'WRONG23456');
    await phone.click('[data-cr-resume-form] button[type="submit"]');
    await phone.locator('[data-cr-resume-error]').waitFor({ state: 'visible' });
    expect(await phone.locator('[data-cr-resume-error]').textContent()).toBe('열린 수업에 이 이어 하기 코드를 가진 학습자가 없습니다.');
    await phone.fill('[data-cr-resume-form] input[name="code"]', code.toLowerCase());
    await phone.click('[data-cr-resume-form] button[type="submit"]');
    await phone.waitForURL(/\/ko\/lessons\//);
    expect(await phone.locator('[data-cr-strip-name]').textContent()).toBe('Ana');
    await shot(phone, 'lesson-strip-ko-390.png', false);
    // Still one learner on the dashboard.
    expect(await gridNames(dashboard)).toEqual(['Ana']);
    await phone.close();
  });

  it('says why a join failed: wrong code, name taken (any case), a name too long', async () => {
    const { context } = await learnerBrowser();
    const page = await newPage(context, 390);
    await page.goto(new URL('/join', server.url).href);
    const error = page.locator('[data-cr-join-error]');
    const attempt = async (code: string, name: string) => {
      await page.fill('[data-cr-join-form] input[name="code"]', code);
      await page.fill('[data-cr-join-form] input[name="name"]', name);
      await page.click('[data-cr-join-form] button[type="submit"]');
      await error.waitFor({ state: 'visible' });
      return error.textContent();
    };
    expect(await attempt('ZZZZZZ', 'Bo')).toBe('No open class has this code. Check it with your instructor.');
    expect(await attempt(cohort.code.toLowerCase(), 'ana')).toBe('Someone in this class already uses this name: add an initial or pick another.');
    // The field stops at 40 characters; a name of only spaces is refused before it is sent.
    expect(await attempt(cohort.code, '   ')).toBe('Type a name of 1 to 40 characters.');
    expect(new URL(page.url()).pathname).toBe('/en/join/');
    await shot(page, 'join-error-en-390.png');
    await page.close();
  });

  it('keeps hostile and long display names as text, everywhere', async () => {
    const evil = await joinClass(HOSTILE);
    expect(await evil.locator('[data-cr-strip-name]').textContent()).toBe(HOSTILE);
    expect(await evil.locator('[data-classroom-strip] img').count()).toBe(0);
    await joinClass(LONG_NAME);
    await expect.poll(() => gridNames(dashboard), { timeout: 10_000 }).toEqual(['Ana', HOSTILE, LONG_NAME]);
    expect(await dashboard.locator('[data-cr-grid] img').count()).toBe(0);
    // The long name is cut with an ellipsis in the grid, whole in its title and in the detail.
    const long = dashboard.locator('[data-cr-grid-body] tr', { hasText: LONG_NAME }).locator('[data-cr-open]');
    expect(await long.evaluate((button) => button.scrollWidth > button.clientWidth)).toBe(true);
    expect(await long.getAttribute('title')).toBe(LONG_NAME);
    expect(alerts).toEqual([]);
  });

  it('shows raised hands live; Helped takes them off the queue', async () => {
    await ana.click('[data-cr-hand]');
    await ana.fill('[data-cr-hand-form] input', 'My probe <script>alert(2)</script> never passes');
    await ana.click('[data-cr-hand-form] button[type="submit"]');
    await ana.locator('[data-cr-hand-status]').waitFor({ state: 'visible' });
    expect(await ana.locator('[data-cr-hand-status]').textContent()).toBe('Hand raised: your instructor will come by.');
    const item = dashboard.locator('[data-cr-help] li', { hasText: 'Ana' });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.locator('.cr-help-message').textContent()).toBe('My probe <script>alert(2)</script> never passes');
    expect(await dashboard.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await shot(dashboard, 'dashboard-help-en-1440.png');
    await item.locator('[data-cr-dismiss]').click();
    await expect.poll(() => dashboard.locator('[data-cr-help] li').count()).toBe(0);
    expect(await dashboard.locator('[data-cr-no-help]').isVisible()).toBe(true);
  });

  it('fills the grid from recorded results: passed green, stuck flagged, failures grouped, untouched labs quiet', async () => {
    // Results as the grader records them, written to the server's database; the next change
    // (a raised hand) publishes a snapshot with them.
    const catalog = await listLabs();
    const lab = (n: number) => catalog.find((l) => l.number === n)!;
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const result = (n: number, passing: string[], minutesAgo: number, observed = 'no livenessProbe on container "app"'): LabResult => {
      const checks = lab(n).tasks.map((task) => ({
        id: task.id, title: task.title, points: task.points, passed: passing.includes(task.id),
        ...(passing.includes(task.id) ? {} : { expected: `${task.id}: as the lesson builds it`, observed }),
      }));
      return { lab: lab(n).id, passed: checks.every((c) => c.passed), score: checks.filter((c) => c.passed).length, maxScore: checks.length, checks, startedAt: ago(minutesAgo), durationMs: 40 };
    };
    const store = new ProgressStore(join(server.home, 'data', 'progress.sqlite'));
    // Right after the joins, background grading found nothing of anyone's in labs 1, 2 and 4 (what
    // `labs verify` says on an empty cluster): nobody has started them yet.
    for (const learner of [1, 2, 3]) {
      for (const untouched of UNTOUCHED.filter((r) => /^0[124]-/.test(r.lab))) store.record({ ...untouched, startedAt: ago(25) }, `learner:${learner}`, 'auto');
    }
    const all = (n: number) => lab(n).tasks.map((t) => t.id);
    // Ana: lab 1 passed after 9 min; lab 2 half-way.
    store.record(result(1, [], 12), 'learner:1');
    store.record(result(1, all(1), 3), 'learner:1');
    store.record(result(2, all(2).slice(0, 2), 2), 'learner:1');
    // The hostile name: stuck on lab 1 (20 min, 3 checks, same failure).
    for (const ago of [20, 14, 6]) store.record(result(1, [all(1)[0]!], ago), 'learner:2');
    // The long name: lab 1 failing the same way as the others.
    store.record(result(1, [all(1)[0]!], 4), 'learner:3');
    store.close();
    await ana.click('[data-cr-hand]');
    await ana.click('[data-cr-hand-form] button[type="submit"]');
    const passed = dashboard.locator('[data-cr-grid-body] tr[data-learner="1"] .cr-cell[data-lab="1"]');
    await passed.and(dashboard.locator('[data-state="passed"]')).waitFor({ timeout: 10_000 });
    expect(await passed.locator('.cr-cell-tasks').textContent()).toBe(`✓ ${all(1).length}/${all(1).length}`);
    expect(await passed.locator('.cr-cell-meta').textContent()).toBe('9 min · 2×');
    const stuck = dashboard.locator('[data-cr-grid-body] tr[data-learner="2"] .cr-cell[data-lab="1"]');
    expect(await stuck.getAttribute('data-state')).toBe('stuck');
    expect(await stuck.locator('.cr-cell-flag').textContent()).toBe('⚑ stuck');
    const failure = dashboard.locator('[data-cr-failures] li').first();
    expect(await failure.locator('.cr-failure-count').textContent()).toBe('2 learners');
    expect(await failure.locator('.cr-failure-observed').textContent()).toBe('no livenessProbe on container "app"');
    expect(await failure.locator('.cr-failure-who p').textContent()).toBe(`${HOSTILE}, ${LONG_NAME}`);
    // Labs nobody touched add nothing to "What is failing": lab 1's restart (two learners) and
    // Ana's last two tasks of lab 2; the others' lab 2 and everyone's lab 4 are a quiet count.
    const failures = dashboard.locator('[data-cr-failures] li');
    expect(await failures.locator('.cr-failure-task').allTextContents()).toEqual([
      `Lab 1 · ${lab(1).tasks[1]!.title}`,
      ...lab(2).tasks.slice(2).map((task) => `Lab 2 · ${task.title}`),
    ]);
    expect(await failures.locator('.cr-failure-who p').allTextContents()).toEqual([`${HOSTILE}, ${LONG_NAME}`, 'Ana', 'Ana']);
    expect(await dashboard.locator('[data-cr-not-started] li').allTextContents()).toEqual(['2 learners have not started Lab 2', '3 learners have not started Lab 4']);
    expect(await dashboard.locator('[data-cr-not-started] li[data-lab="2"]').getAttribute('title')).toBe(`${HOSTILE}, ${LONG_NAME}`);
    const untouchedCell = dashboard.locator('[data-cr-grid-body] tr[data-learner="3"] .cr-cell[data-lab="2"]');
    expect(await untouchedCell.getAttribute('data-state')).toBe('none');
    expect(await untouchedCell.textContent()).toBe('—not started');
    for (const [width, name] of [[1440, 'dashboard-en-1440.png'], [390, 'dashboard-en-390.png']] as const) {
      await dashboard.setViewportSize({ width, height: 900 });
      await shot(dashboard, name);
    }
    await dashboard.setViewportSize({ width: 1440, height: 900 });
  });

  it('opens a learner on click: their labs, environment, and the actions behind a confirmation', async () => {
    await dashboard.locator('[data-cr-grid-body] tr[data-learner="1"] .cr-cell[data-lab="2"]').click();
    const drawer = dashboard.locator('[data-cr-drawer]');
    await drawer.waitFor({ state: 'visible' });
    expect(await drawer.locator('[data-cr-drawer-name]').textContent()).toBe('Ana');
    expect(await drawer.locator('.cr-drawer-lab').count()).toBe(3);
    expect(await drawer.locator('[data-cr-watch]').getAttribute('href')).toBe(`/en/classroom/watch/1/?cohort=${cohort.id}`);
    // Ana's own reasons: lab 2's failing tasks, what each expected and what the grader saw.
    const lab2 = (await listLabs()).find((l) => l.number === 2)!;
    const reasons = drawer.locator('.cr-drawer-lab[data-lab="2"] .cr-reason');
    expect(await reasons.locator('.cr-reason-task').allTextContents()).toEqual(lab2.tasks.slice(2).map((t) => t.title));
    expect(await reasons.first().locator('.cr-reason-line').allTextContents()).toEqual([
      `Expected${lab2.tasks[2]!.id}: as the lesson builds it`,
      'Observedno livenessProbe on container "app"',
    ]);
    expect(await drawer.locator('.cr-drawer-lab[data-lab="1"] .cr-reason').count()).toBe(0);
    expect(await drawer.locator('.cr-drawer-lab[data-lab="4"]').getAttribute('data-state')).toBe('none');
    expect(await drawer.locator('.cr-drawer-lab[data-lab="4"] .cr-drawer-lab-state').textContent()).toBe('not started');
    await shot(dashboard, 'dashboard-learner-en-1440.png', false);
    await dashboard.setViewportSize({ width: 390, height: 900 });
    await shot(dashboard, 'dashboard-learner-en-390.png', false);
    await dashboard.setViewportSize({ width: 1440, height: 900 });
    // Recreate: cancel first (nothing happens), then confirm.
    await drawer.locator('[data-cr-recreate]').click();
    const dialog = dashboard.locator('dialog.cr-dialog[open]');
    await dialog.waitFor();
    expect(await dialog.locator('.cr-dialog-text').textContent()).toContain("Throw Ana's environment");
    await dialog.locator('button[value="cancel"]').click();
    expect(await drawer.locator('[data-cr-drawer-status]').isHidden()).toBe(true);
    await drawer.locator('[data-cr-recreate]').click();
    await dialog.locator('button[value="yes"]').click();
    await drawer.locator('[data-cr-drawer-status][data-kind="ok"]').waitFor({ state: 'visible' });
    await dashboard.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  });

  it('tells the learner while an instructor watches their terminal', async () => {
    const watching = ana.locator('[data-cr-strip-watching]');
    expect(await watching.isHidden()).toBe(true);
    // A read-only watcher from the instructor's page, as the terminal client opens one
    // (/ws/terminal?watch=learner:<id>, then its hello).
    await dashboard.evaluate(({ version }) => new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`ws://${location.host}/ws/terminal?watch=learner:1`);
      socket.onopen = () => {
        socket.send(JSON.stringify({ t: 'hello', v: version, cols: 80, rows: 24 }));
        (window as unknown as { watcher: WebSocket }).watcher = socket;
        resolve();
      };
      socket.onerror = () => reject(new Error('watcher socket refused'));
    }), { version: PROTOCOL_VERSION });
    await watching.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await watching.textContent()).toContain('An instructor is watching your terminal.');
    await shot(ana, 'lesson-watching-en-1440.png', false);
    await dashboard.evaluate(() => (window as unknown as { watcher: WebSocket }).watcher.close());
    await watching.waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it("does not proxy /argocd/ to this machine's own cluster: a class's learners have clusters of their own", async () => {
    for (const path of ['/argocd/', '/argocd/api/version']) {
      const response = await fetch(new URL(path, server.url), { headers: { Origin: server.origin } });
      expect(response.status, path).toBe(404);
    }
  });

  it('downloads the results as CSV', async () => {
    const [download] = await Promise.all([dashboard.waitForEvent('download'), dashboard.click('[data-cr-export-csv]')]);
    expect(download.suggestedFilename()).toBe('Kubernetes-basics-b-Tuesday-b-results.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.split('\r\n')[0]).toBe('\uFEFF"Class","Learner","Lab","Lab title","Task","Points","Passed","Passed at","Lab id","Task id"');
    expect(text).toContain('"Kubernetes basics <b>Tuesday</b>","Ana","1","');
    // A display name is data, never a spreadsheet formula or markup that changes the file.
    expect(text).toContain(`"${HOSTILE}"`);
  });

  it('sends a message to everyone (after a confirmation), shown on the learner\'s page as text', async () => {
    const message = 'Break until 14:30 <b>not bold</b>';
    await dashboard.fill('[data-cr-broadcast] textarea', message);
    await dashboard.click('[data-cr-broadcast] button[type="submit"]');
    const dialog = dashboard.locator('dialog.cr-dialog[open]');
    await dialog.waitFor();
    expect(await dialog.locator('.cr-dialog-text').textContent()).toBe('Show this message at the top of every learner\'s page (3 in the class now)?');
    expect(await dialog.locator('.cr-dialog-detail').textContent()).toBe(message);
    await dialog.locator('button[value="yes"]').click();
    await dashboard.locator('[data-cr-broadcast-status][data-kind="ok"]').waitFor({ state: 'visible' });
    const banner = ana.locator('.cr-broadcast');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.locator('.cr-broadcast-text').textContent()).toBe(message);
    expect(await banner.locator('b').count()).toBe(0);
    await shot(ana, 'lesson-broadcast-en-1440.png', false);
    await banner.locator('.cr-broadcast-close').click();
    expect(await ana.locator('.cr-broadcast').count()).toBe(0);
  });
});

describe('Korean, and phone widths', () => {
  it('renders the dashboard and the join page in Korean at 390 and 1440 px', async () => {
    const page = await newPage(teacher.context);
    await page.goto(new URL(`/ko/classroom/cohorts/${cohort.id}/`, server.url).href);
    await page.locator('[data-cr-live][data-state="live"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('#cr-progress-title').textContent()).toContain('진행 상황');
    expect(await page.locator('[data-cr-grid-head] th').first().textContent()).toBe('학습자');
    expect(await page.locator('[data-cr-not-started] li').allTextContents()).toEqual(['실습 2 시작 전: 학습자 2명', '실습 4 시작 전: 학습자 3명']);
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await shot(page, `dashboard-ko-${width}.png`);
      // Nothing sticks out sideways on a phone except inside the grid's own scroller.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    }
    // Ana's drawer: her reasons, in Korean words around the grader's own lines.
    await page.locator('[data-cr-grid-body] tr[data-learner="1"] [data-cr-open]').click();
    const drawer = page.locator('[data-cr-drawer]');
    await drawer.waitFor({ state: 'visible' });
    await page.mouse.move(0, 0); // no row highlighted by a pointer left over it
    expect(await drawer.locator('.cr-drawer-lab[data-lab="2"] .cr-reason-label').first().textContent()).toBe('기대값');
    expect(await drawer.locator('.cr-drawer-lab[data-lab="4"] .cr-drawer-lab-state').textContent()).toBe('시작 전');
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await shot(page, `dashboard-learner-ko-${width}.png`, false);
    }
    await page.goto(new URL(`/ko/classroom/cohorts/${cohort.id}/print/`, server.url).href);
    await page.locator('[data-cr-sheet]').waitFor({ state: 'visible' });
    for (const width of [390, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await shot(page, `print-ko-${width}.png`);
    }
    await page.close();

    const { context } = await learnerBrowser();
    const joinPage = await newPage(context);
    for (const language of ['en', 'ko']) {
      await joinPage.goto(new URL(`/${language}/join/?code=${cohort.code}`, server.url).href);
      expect(await joinPage.inputValue('[data-cr-join-form] input[name="code"]')).toBe(cohort.code);
      for (const width of [1440, 390]) {
        await joinPage.setViewportSize({ width, height: 900 });
        await shot(joinPage, `join-${language}-${width}.png`);
        expect(await joinPage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      }
    }
    await joinPage.close();
  });
});

describe('a full class, and the end of the class', () => {
  it('says a class is full', async () => {
    const teacherPage = await newPage(teacher.context);
    await teacherPage.goto(new URL('/en/classroom/', server.url).href);
    await teacherPage.fill('[data-cr-create] input[name="name"]', 'Tiny');
    await teacherPage.fill('[data-cr-create] input[name="capacity"]', '1');
    await teacherPage.click('[data-cr-create] button[type="submit"]');
    const tiny = (await teacherPage.locator('[data-cr-cohorts] [data-fresh] [data-join-code]').getAttribute('data-join-code'))!;
    await teacherPage.close();
    await joinClass('First', tiny);
    const { context } = await learnerBrowser();
    const page = await newPage(context, 390);
    await page.goto(new URL(`/join?code=${tiny}`, server.url).href);
    await page.fill('[data-cr-join-form] input[name="name"]', 'Second');
    await page.click('[data-cr-join-form] button[type="submit"]');
    await page.locator('[data-cr-join-error]').waitFor({ state: 'visible' });
    expect(await page.locator('[data-cr-join-error]').textContent()).toBe('This class is full. Ask your instructor to make room.');
    await page.close();
  });

  it('ends the class after a confirmation; the learner\'s page says so', async () => {
    const ana = learners[0]!.context.pages().find((p) => p.url().includes('/lessons/'))!;
    await dashboard.click('[data-cr-end]');
    const dialog = dashboard.locator('dialog.cr-dialog[open]');
    await dialog.waitFor();
    expect(await dialog.locator('.cr-dialog-text').textContent()).toContain('End "Kubernetes basics <b>Tuesday</b>"?');
    await dialog.locator('button[value="yes"]').click();
    await dashboard.locator('[data-cr-notice]', { hasText: 'This class has ended.' }).waitFor();
    expect(await dashboard.locator('[data-cr-end]').isDisabled()).toBe(true);
    await ana.locator('[data-cr-strip-ended]').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await ana.locator('[data-cr-strip-ended]').textContent()).toBe('This class has ended: your shell and cluster are closed, your results are kept. Thank you for taking part!');
    expect(await ana.locator('[data-cr-hand]').isDisabled()).toBe(true);
    // Nothing left to ask for or to resume into; the header's pill says the class ended, not "ready".
    expect(await ana.locator('[data-cr-hand]').isVisible()).toBe(false);
    expect(await ana.locator('[data-cr-strip-resume-toggle]').isVisible()).toBe(false);
    expect(await ana.locator('[data-terminal-reconnect]').isVisible()).toBe(false);
    expect(await ana.locator('[data-cluster-status]').getAttribute('data-state')).toBe('ended');
  });

  it('says when joins are rate-limited', async () => {
    const { context } = await learnerBrowser();
    const page = await newPage(context, 390);
    await page.goto(new URL('/en/join/', server.url).href);
    // Spend the address's joins (20 per 5 minutes) from this page, then try once more by hand.
    await page.evaluate(async () => {
      for (let i = 0; i < 25; i++) await fetch('/api/classroom/join', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":"ZZZZZZ","name":"x"}' });
    });
    await page.fill('[data-cr-join-form] input[name="code"]', 'ZZZZZZ');
    await page.fill('[data-cr-join-form] input[name="name"]', 'Late');
    await page.click('[data-cr-join-form] button[type="submit"]');
    await page.locator('[data-cr-join-error]').waitFor({ state: 'visible' });
    expect(await page.locator('[data-cr-join-error]').textContent()).toMatch(/^Too many attempts\. Wait \d+ s and try again\.$/);
    await page.close();
  });
});
