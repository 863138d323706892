// One process at a time for work that several processes may start at once on one machine (the
// web server, the CLI, test runs): building the node image. A lock is a directory (mkdir is
// atomic) holding the owner's pid; a lock whose owner died is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../base/exec.ts';

export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function ownerOf(lock: string): number | undefined {
  try {
    return Number(readFileSync(join(lock, 'pid'), 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` holding the lock at `lock` (a directory path). While another live process holds
 * it, waits (calling `waiting` once); a stale lock (its process gone) is removed.
 */
export async function withFileLock<T>(lock: string, work: () => Promise<T>, waiting?: (ownerPid: number | undefined) => void): Promise<T> {
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock, { recursive: false });
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(lock);
      // No pid yet: the owner is between mkdir and write; give it a moment before calling it stale.
      if (owner !== undefined && !pidAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) waiting?.(owner);
      told = true;
      await sleep(owner === undefined ? 200 : 2000);
      if (owner === undefined && ownerOf(lock) === undefined) rmSync(lock, { recursive: true, force: true });
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
