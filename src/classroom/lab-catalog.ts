// The labs as the classroom needs them (numbers, ids, tasks, namespaces), read once per change
// of the lab folders rather than on every dashboard publish: reading them means every lab's
// lab.yaml and starter files, and a class's gradings publish many times a minute.
import { statSync, watch, type FSWatcher } from 'node:fs';
import type { LabCatalogEntry } from './board.ts';

/** Without a working watch on the lab folders, a read is trusted this long. */
export const UNWATCHED_TTL_MS = 60_000;

export type LabCatalogOptions = {
  /** The lab folders: an edit under them reads the catalog again on its next use. */
  watch?: string;
  log?: (line: string) => void;
  now?: () => number;
};

export class LabCatalog {
  private readonly read: () => Promise<LabCatalogEntry[]>;
  private readonly now: () => number;
  private cached: { at: number; entries: Promise<LabCatalogEntry[]> } | undefined;
  private watcher: FSWatcher | undefined;
  /** Whether a cached read may go stale unnoticed (the watch failed to start or broke). */
  private unwatched = false;

  constructor(read: () => Promise<LabCatalogEntry[]>, options: LabCatalogOptions = {}) {
    this.read = read;
    this.now = options.now ?? Date.now;
    if (options.watch) this.watchFolders(options.watch, options.log);
  }

  entries(): Promise<LabCatalogEntry[]> {
    const cached = this.cached;
    if (cached && !(this.unwatched && this.now() - cached.at > UNWATCHED_TTL_MS)) return cached.entries;
    const entries = this.read();
    const entry = { at: this.now(), entries };
    this.cached = entry;
    // A failed read is not kept: the next use tries again.
    entries.catch(() => this.cached === entry && (this.cached = undefined));
    return entries;
  }

  /** The labs changed: the next use reads them again (one read, however many changes came). */
  changed(): void {
    this.cached = undefined;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private watchFolders(root: string, log?: (line: string) => void): void {
    const giveUp = (error: Error) => {
      log?.(`classroom: not watching the labs in ${root} (${error.message}): the lab catalog is read again every ${UNWATCHED_TTL_MS / 1000} s`);
      this.close();
      this.unwatched = true;
    };
    try {
      // Node's recursive watch on Linux says nothing of a folder that is not there.
      if (!statSync(root).isDirectory()) throw new Error('not a folder');
      // Not persistent: the watch never keeps the server's process alive.
      this.watcher = watch(root, { recursive: true, persistent: false }, () => this.changed());
      this.watcher.on('error', giveUp);
    } catch (error) {
      giveUp(error as Error);
    }
  }
}
