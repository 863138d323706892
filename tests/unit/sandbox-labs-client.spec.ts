// The sandbox's `labs` thin client (kind/images/toolbox/labs) when the class server cannot be
// reached: one line saying so and exit 2 — no second, empty "labs:" line (issue #23, item 1).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
