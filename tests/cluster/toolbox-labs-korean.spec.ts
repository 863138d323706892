// `labs verify`, `list` and `hint` in a classroom sandbox, in Korean (issue #23): the toolbox
// image's own `labs` (built from this checkout) asks the server's real API layer, as a learner
// with a bearer token would, for the words in Korean (?lang=ko) and prints them; English stays the
// default. The grading is the real grader's on a cluster that holds nothing (every task fails, so
// every line is printed); the server listens on loopback, the sandbox shares the host's network.
//
// Then a class (issue #23, item 8): a learner joins on the Korean join page of a real class server
// with local environments (one kind cluster, one sandbox), types `labs verify 1` in the terminal
// of the Korean lesson page and reads Korean; switches the page to English and the next
// `labs verify 1`, in the same shell (not restarted), is English; and back. The server writes the
// page's language into the sandbox (~/.config/labs/lang); nobody passes --lang.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLab } from '../../grader/catalog.ts';
import type { KubeReader } from '../../grader/kube.ts';
import { loadChecks, runChecks } from '../../grader/verify.ts';
import type { ClusterStatus } from '../../src/contract/cluster.ts';
import { findPool, sandboxName } from '../../src/environments/classroom/docker-objects.ts';
import { ImageBuilder } from '../../src/environments/images/build.ts';
import { createGraderAdapter } from '../../src/server/adapters/grader.ts';
import { createApi } from '../../src/server/api.ts';
import { createPageTokens } from '../../src/server/page-token.ts';
import { launchBrowser, type RunningServer } from '../browser/harness.ts';
import { ADMIN, ok, removeClassServer, startClassServer } from './helpers/class-server.ts';
import { terminalReady, type, waitForTerminal } from './helpers/learner-terminal.ts';

const exec = promisify(execFile);
const emptyCluster = { list: async () => ({ items: [], resourceVersion: '1' }), watch: async () => () => {} } as unknown as KubeReader;
let image = '';
let server: Server;
let url = '';

/** `labs …` in a fresh sandbox of the toolbox image; stdout, and the exit code. */
async function sandboxLabs(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const envArgs = Object.entries({ LABS_SERVER: url, LANG: 'C.UTF-8', ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return exec('docker', ['run', '--rm', '--network', 'host', '--cap-drop', 'ALL', ...envArgs, image, 'labs', ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

beforeAll(async () => {
  const builder = new ImageBuilder(() => {});
  const toolbox = builder.catalog.images.find((i) => i.refs[0]!.includes('/toolbox:'))!;
  await builder.buildAll((i) => i === toolbox);
  image = toolbox.refs[0]!;
  const catalog = createGraderAdapter();
  const api = createApi({
    grader: { labs: catalog.labs, verify: async (n) => { const lab = await findLab(String(n)); return runChecks(lab, await loadChecks(lab), emptyCluster); } },
    environments: undefined,
    store: undefined,
    tokens: createPageTokens(),
    caller: () => ({ learner: 'learner:1', bearer: true, kubeconfig: '/dev/null', cluster: async () => ({ state: 'running' }) as ClusterStatus }),
  });
  server = createServer((req, res) => void api(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 1_200_000);

afterAll(() => server?.close());

describe("the sandbox's labs in Korean", () => {
  it('verify --lang ko: every line in Korean', async () => {
    const { code, stdout } = await sandboxLabs(['verify', '1', '--lang', 'ko']);
    expect(code).toBe(1);
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      '실습 01-liveness: 0/5점 아직',
      '  ✗ liveness-http 파드에 강의에서 만든 liveness 프로브가 있다',
      '      기대값: 네임스페이스 "liveness"의 Pod "liveness-http"',
      '      실제값: 찾지 못함. 네임스페이스 "liveness"에 Pod 없음',
      expect.stringMatching(/^ {6}힌트: liveness 네임스페이스를 만들고/),
    ]);
    expect(stdout).not.toMatch(/expected|observed|not found|hint:/);
  });

  it('follows a Korean locale and LABS_LANG; English is the default, and --json stays English beside `localized`', async () => {
    expect((await sandboxLabs(['verify', '1'], { LANG: 'ko_KR.UTF-8' })).stdout).toContain('실제값: 찾지 못함');
    expect((await sandboxLabs(['verify', '1'], { LABS_LANG: 'ko' })).stdout).toContain('실제값: 찾지 못함');
    const english = (await sandboxLabs(['verify', '1'])).stdout;
    expect(english).toContain('      observed: not found; namespace "liveness" has no Pods');
    expect(english).not.toMatch(/[가-힣]/);
    const json = JSON.parse((await sandboxLabs(['verify', '1', '--json', '--lang', 'ko'])).stdout);
    expect(json.checks[0].observed).toBe('not found; namespace "liveness" has no Pods');
    expect(json.localized.checks[0].observed).toBe('찾지 못함. 네임스페이스 "liveness"에 Pod 없음');
  });

  it('list and hint in Korean', async () => {
    expect((await sandboxLabs(['list', '--lang', 'ko'])).stdout.split('\n')[0]).toBe('1\tliveness 프로브가 실패하는 컨테이너를 재시작한다');
    const hint = (await sandboxLabs(['hint', '1', '--lang', 'ko'])).stdout;
    expect(hint.split('\n')[0]).toBe('실습 1 · liveness 프로브가 실패하는 컨테이너를 재시작한다');
    expect(hint).toContain('liveness-http 파드에 강의에서 만든 liveness 프로브가 있다 (2점)');
  });

  it('refuses another language in one line', async () => {
    const answer = await sandboxLabs(['verify', '1', '--lang', 'fr']);
    expect(answer.code).toBe(2);
    expect(answer.stderr.trim()).toBe('labs: --lang expects en or ko, got "fr"');
  });
});

describe("a learner's sandbox speaks their page's language", () => {
  const MINUTE = 60_000;
  const POOL = `lang-${randomBytes(3).toString('hex')}`;
  let classServer: RunningServer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let page: Page;
  let round = 0;

  beforeAll(async () => {
    classServer = await startClassServer(POOL);
    browser = await launchBrowser();
  }, 30 * MINUTE);

  afterAll(async () => {
    await browser?.close();
    if (classServer) await removeClassServer(classServer, POOL);
  }, 10 * MINUTE);

  /** `labs verify 1` typed in the page's terminal; what it printed (from the command line on). */
  async function verifyInTerminal(): Promise<string> {
    const end = `round-${++round} exit`;
    await type(page, `labs verify 1; echo "${end} $?"`);
    const text = await waitForTerminal(page, new RegExp(`^${end} \\d$`, 'm'), 5 * MINUTE);
    return text.slice(text.lastIndexOf(`${end} $?`));
  }

  /** The shell's process id: the same before and after a switch, so the shell was not restarted. */
  async function shellPid(): Promise<string> {
    const mark = `pid-${++round}`;
    await type(page, `echo "${mark}=$$"`);
    return new RegExp(`^${mark}=(\\d+)$`, 'm').exec(await waitForTerminal(page, new RegExp(`^${mark}=\\d+$`, 'm')))![1]!;
  }

  /** The language file the server wrote in the learner's sandbox. */
  async function languageFile(): Promise<string> {
    const env = (await findPool(POOL)).assignments.find((a) => a.learner.startsWith('learner:'))!.env;
    return (await exec('docker', ['exec', sandboxName(env), 'cat', '/home/learner/.config/labs/lang'])).stdout;
  }

  async function switchTo(language: 'en' | 'ko'): Promise<void> {
    await page.click(`.language-switch a[hreflang="${language}"]`);
    await page.waitForURL(new RegExp(`/${language}/lessons/`), { timeout: 30_000 });
    await page.waitForFunction(() => (window as unknown as { labsTerminal?: { ready: boolean } }).labsTerminal?.ready === true, null, { timeout: 2 * MINUTE, polling: 500 });
    // The new page's terminal replays the session's output, tmux's device-attributes query in it
    // too: its answer must not reach the prompt as typed text ("0;276;0c"), so no Ctrl+C here.
    await page.waitForTimeout(1500);
  }

  it('joined on the Korean page: `labs verify 1` in the terminal is Korean', async () => {
    const teacher = await ok(classServer!, '', 'POST', '/api/classroom/login', ADMIN);
    const cohort = await ok(classServer!, teacher.cookie, 'POST', '/api/classroom/cohorts', { name: '언어', labs: [1], capacity: 1 }, teacher.json.csrf as string);
    page = await browser!.context.newPage();
    await page.goto(new URL(`/ko/join/?code=${cohort.json.joinCode as string}`, classServer!.url).href);
    await page.fill('[data-cr-join-form] input[name="name"]', '김민지');
    await page.click('[data-cr-join-form] button[type="submit"]');
    await page.waitForURL(/\/ko\/lessons\//, { timeout: 30_000 });
    // The environment is made once the class opens (minutes on a cold machine).
    await terminalReady(page, 25 * MINUTE).catch((error: Error) => {
      throw new Error(`${error.message}\n--- server (last lines) ---\n${classServer!.output().split('\n').slice(-30).join('\n')}`);
    });
    const said = await verifyInTerminal();
    expect(said).toMatch(/^실습 01-liveness: 0\/5점 아직$/m);
    expect(said).toMatch(/^ {6}기대값: 네임스페이스 "liveness"의 Pod "liveness-http"$/m);
    expect(said).toMatch(/^ {6}실제값: /m);
    expect(said).not.toMatch(/expected:|observed:|not yet/);
    expect(said).toMatch(/exit 1$/m);
    expect(await languageFile()).toBe('ko\n');
  }, 30 * MINUTE);

  it('switched to English: the next `labs verify 1` in the same shell is English, and back to Korean', async () => {
    const pid = await shellPid();
    await switchTo('en');
    const english = await verifyInTerminal();
    expect(english).toMatch(/^lab 01-liveness: 0\/5 not yet$/m);
    expect(english).toMatch(/^ {6}observed: /m);
    expect(english).not.toMatch(/[가-힣]/);
    expect(await languageFile()).toBe('en\n');
    expect(await shellPid()).toBe(pid);

    await switchTo('ko');
    expect(await verifyInTerminal()).toMatch(/^실습 01-liveness: 0\/5점 아직$/m);
    expect(await shellPid()).toBe(pid);
  }, 10 * MINUTE);
});
