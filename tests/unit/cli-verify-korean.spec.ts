// `labs verify` in Korean (issue #23): with --lang ko, or a Korean locale, the lab, its tasks,
// hints, expected and observed read in Korean; --json keeps the result English (programs read
// it) and adds the Korean beside it as `localized`. The cluster is a stand-in API server that
// holds nothing (every task fails, so every line under a task is printed).
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = new URL('../../bin/labs', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'labs-cli-ko-'));
const kubeconfig = join(home, 'empty.kubeconfig');
let server: Server;

async function labs(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const options = { env: { ...process.env, HOME: home, LABS_HOME: join(home, 'data'), NO_COLOR: '1', LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '', ...env }, timeout: 60_000 };
  return run(bin, args, options).then(({ stdout }) => ({ code: 0, stdout }), (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: empty, cluster: {server: "http://127.0.0.1:${port}"}}]
contexts: [{name: empty, context: {cluster: empty, user: u}}]
current-context: empty
users: [{name: u, user: {token: abc}}]
`);
});

afterAll(() => server?.close());

describe('labs verify in Korean', { timeout: 60_000 }, () => {
  it('says the lab, its tasks and what was expected and observed in Korean with --lang ko', async () => {
    const { code, stdout } = await labs(['verify', '1', '--lang', 'ko', '--kubeconfig', kubeconfig]);
    expect(code).toBe(1);
    expect(stdout).toContain('실습 01 · liveness 프로브가 실패하는 컨테이너를 재시작한다');
    expect(stdout).toContain('✗ liveness-http 파드에 강의에서 만든 liveness 프로브가 있다 0/2');
    expect(stdout).toContain('기대값    네임스페이스 "liveness"의 Pod "liveness-http"');
    expect(stdout).toContain('실제값    찾지 못함. 네임스페이스 "liveness"에 Pod 없음');
    expect(stdout).toMatch(/힌트 {6}liveness 네임스페이스를 만들고/);
    expect(stdout).toMatch(/^아직 · 0\/5점, [\d.]+초$/m);
    expect(stdout).not.toMatch(/expected|observed|not found/);
  });

  it('follows a Korean locale (LANG=ko_KR.UTF-8), and English stays the default', async () => {
    expect((await labs(['verify', '1', '--kubeconfig', kubeconfig], { LANG: 'ko_KR.UTF-8' })).stdout).toContain('실제값    찾지 못함');
    const english = (await labs(['verify', '1', '--kubeconfig', kubeconfig])).stdout;
    expect(english).toContain('observed  not found; namespace "liveness" has no Pods');
    expect(english).not.toMatch(/[가-힣]/);
  });

  it('keeps --json English, with the Korean beside it as `localized`', async () => {
    const { stdout } = await labs(['verify', '1', '--json', '--lang', 'ko', '--kubeconfig', kubeconfig]);
    const result = JSON.parse(stdout);
    expect(result.checks[0]).toMatchObject({ id: 'probe-configured', passed: false, observed: 'not found; namespace "liveness" has no Pods' });
    expect(result.localized.language).toBe('ko');
    expect(result.localized.checks[0]).toMatchObject({ id: 'probe-configured', observed: '찾지 못함. 네임스페이스 "liveness"에 Pod 없음' });
    expect(result.localized.checks[0].hint).toMatch(/^liveness 네임스페이스를 만들고/);
    const english = JSON.parse((await labs(['verify', '1', '--json', '--kubeconfig', kubeconfig])).stdout);
    expect(english.localized).toBeUndefined();
  });

  it('refuses another language in one line', async () => {
    const answer = await run(bin, ['verify', '1', '--lang', 'fr'], { env: { ...process.env, HOME: home, NO_COLOR: '1' } }).catch((error: { code: number; stderr: string }) => error);
    expect((answer as { code: number }).code).toBe(2);
    expect((answer as { stderr: string }).stderr.trim()).toBe('labs verify: --lang expects en or ko, got "fr" (see labs verify --help)');
  });
});
