// gotty, the baseline web terminal: built once from its Go module (through the Go module proxy)
// into the toolchain cache, then started on a free loopback port running bash.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cacheDir } from '../../src/base/paths.ts';

export const GOTTY_VERSION = 'v1.5.0';

function ensureGotty(log: (line: string) => void): string {
  const binDir = join(cacheDir(), 'go', 'bin');
  const binary = join(binDir, `gotty-${GOTTY_VERSION}`);
  if (existsSync(binary)) return binary;
  log(`building gotty ${GOTTY_VERSION} from its Go module (one time)…`);
  const moduleDir = join(cacheDir(), 'go', 'gotty-build');
  mkdirSync(moduleDir, { recursive: true });
  mkdirSync(binDir, { recursive: true });
  writeFileSync(join(moduleDir, 'go.mod'), `module local/gottybuild\n\ngo 1.22\n\nrequire github.com/sorenisanerd/gotty ${GOTTY_VERSION}\n`);
  writeFileSync(join(moduleDir, 'tools.go'), '//go:build tools\n\npackage tools\n\nimport _ "github.com/sorenisanerd/gotty"\n');
  const proxy = (spawnSync('go', ['env', 'GOPROXY'], { encoding: 'utf8' }).stdout ?? '').trim().replace(/,direct$/, '');
  const built = spawnSync('go', ['build', '-o', binary, 'github.com/sorenisanerd/gotty'], {
    cwd: moduleDir,
    env: { ...process.env, GOPROXY: proxy, GOFLAGS: '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0) throw new Error('could not build gotty (is the Go module proxy reachable?)');
  return binary;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export type RunningGotty = { url: string; port: number; process: ChildProcess; stop(): void };

/** gotty serving bash with the same HOME and TERM as our bridge's shells get. */
export async function startGotty(env: Record<string, string>, log: (line: string) => void): Promise<RunningGotty> {
  const binary = ensureGotty(log);
  const port = await freePort();
  const child = spawn(binary, ['--address', '127.0.0.1', '--port', String(port), '--permit-write', '--ws-origin', '.*', '/bin/bash'], {
    stdio: 'ignore',
    env: { ...process.env, ...env, TERM: 'xterm-256color' },
  });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `http://127.0.0.1:${port}/`, port, process: child, stop: () => void child.kill('SIGTERM') };
}
