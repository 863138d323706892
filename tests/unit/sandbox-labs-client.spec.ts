// The sandbox's `labs` thin client (kind/images/toolbox/labs) when the class server cannot be
// reached: one line saying so and exit 2 — no second, empty "labs:" line (issue #23, item 1).
// And the language it speaks follows ~/.config/labs/lang (the platform writes the page's
// language there) at every run, so a switch counts from the next command (issue #23, item 8).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const LABS = join(import.meta.dirname, '../../kind/images/toolbox/labs');

/** A port nothing listens on (bound, then closed). */
const closedPort = () => new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as AddressInfo;
    probe.close(() => resolve(port));
  });
});

async function labs(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const config = mkdtempSync(join(tmpdir(), 'labs-client-'));
  writeFileSync(join(config, 'server'), `http://127.0.0.1:${await closedPort()}\n`);
  try {
    const { stdout, stderr } = await exec('bash', [LABS, ...args], { env: { ...process.env, LABS_CONFIG_DIR: config, LABS_SERVER: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('labs in a sandbox, the class server unreachable', () => {
  for (const args of [['verify', '1'], ['list'], ['addon', 'argocd', '--status']]) {
    it(`labs ${args.join(' ')}: one line naming the server, exit 2`, async () => {
      const { code, stdout, stderr } = await labs(...args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n').filter((line) => line.startsWith('labs:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^labs: cannot reach the class server at http:\/\/127\.0\.0\.1:\d+$/);
    });
  }
});

describe("labs in a sandbox speaks the language in ~/.config/labs/lang", () => {
  it('read at every run: Korean, then English after the file changes, in the same shell', async () => {
    const asked: string[] = [];
    const result = {
      lab: '01-liveness', score: 0, maxScore: 5, passed: false,
      checks: [{ id: 'probe', title: 'the pod has a probe', passed: false, expected: 'Pod "liveness-http"', observed: 'not found' }],
    };
    const server = createHttpServer((req, res) => {
      asked.push(req.url ?? '');
      const korean = req.url?.endsWith('?lang=ko');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(korean ? { ...result, localized: { checks: [{ id: 'probe', title: '파드에 프로브가 있다', expected: 'Pod "liveness-http"', observed: '찾지 못함' }] } } : result));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = mkdtempSync(join(tmpdir(), 'labs-lang-'));
    writeFileSync(join(config, 'server'), `http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
    // One bash, as the learner's tmux shell is: the platform rewrites the file between the two commands.
    const script = `labs() { bash ${JSON.stringify(LABS)} "$@"; }
      printf 'ko\\n' > "$LABS_CONFIG_DIR/lang"; labs verify 1; echo "exit $?"
      printf 'en\\n' > "$LABS_CONFIG_DIR/lang"; labs verify 1; echo "exit $?"`;
    const env: NodeJS.ProcessEnv = { ...process.env, LABS_CONFIG_DIR: config, LABS_SERVER: '', LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' };
    delete env.LABS_LANG;
    try {
      const { stdout } = await exec('bash', ['-c', script], { env });
      expect(stdout.split('\n')).toEqual([
        '실습 01-liveness: 0/5점 아직', '  ✗ 파드에 프로브가 있다', '      기대값: Pod "liveness-http"', '      실제값: 찾지 못함', 'exit 1',
        'lab 01-liveness: 0/5 not yet', '  ✗ the pod has a probe', '      expected: Pod "liveness-http"', '      observed: not found', 'exit 1',
        '',
      ]);
      expect(asked).toEqual(['/api/labs/1/verify?lang=ko', '/api/labs/1/verify']);
    } finally {
      server.close();
    }
  });
});
