// Shared by the browser suite: start the real platform (`node src/server/start.ts`) on a free
// port with throwaway state, and Debian's chromium (tests/browser/chromium.ts) with a fresh profile.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { cacheDir } from '../../src/base/paths.ts';
import { CHROMIUM } from './chromium.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-results');

export type RunningServer = {
  url: string;
  origin: string;
  port: number;
  process: ChildProcess;
  /** The throwaway HOME its shells get (and LABS_HOME under it). */
  home: string;
  output: () => string;
  /** Stops the server; `keepHome` leaves its state for a restart on it. */
  stop(options?: { keepHome?: boolean }): Promise<void>;
};

/**
 * `reuse` starts a second server on the same state and port as an earlier one (a restart):
 * stop the earlier one with `keepHome` first. `args`: more options for start.ts (--classroom …).
 */
export async function startServer(env: Record<string, string> = {}, reuse?: { home: string; port: number }, args: string[] = []): Promise<RunningServer> {
  const home = reuse?.home ?? mkdtempSync(join(tmpdir(), 'labs-browser-'));
  const cwd = join(home, 'workspace');
  mkdirSync(cwd, { recursive: true });
  const child = spawn(process.execPath, [join(ROOT, 'src/server/start.ts'), '--port', String(reuse?.port ?? 0), ...args], {
    cwd: ROOT,
    // HOME is throwaway too: the shell must not depend on this machine's ~/.bashrc (a stale pyenv
    // rehash lock there once hung every interactive bash); the toolchain cache stays the real one.
    env: { ...process.env, HOME: home, LABS_CACHE: cacheDir(), ...goCaches(), LABS_NO_CLUSTER: '1', LABS_HOME: join(home, 'data'), LABS_TERMINAL_CWD: cwd, SHELL: '/bin/bash', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 240 s:\n${output}`)), 240_000);
    const check = () => {
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    process: child,
    home,
    output: () => output,
    async stop({ keepHome = false } = {}) {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!keepHome) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Go's module and build caches stay this user's when HOME is throwaway (kind's module is read from there). */
function goCaches(): Record<string, string> {
  const home = process.env.HOME ?? '/root';
  return {
    GOMODCACHE: process.env.GOMODCACHE ?? join(process.env.GOPATH ?? join(home, 'go'), 'pkg', 'mod'),
    GOCACHE: process.env.GOCACHE ?? join(process.env.XDG_CACHE_HOME ?? join(home, '.cache'), 'go-build'),
  };
}

/** `env`: more environment for chromium (FONTCONFIG_FILE: which system fonts it sees). */
export async function launchBrowser(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'labs-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    env: { ...process.env, ...env } as Record<string, string>,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
    viewport: { width: 1440, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
