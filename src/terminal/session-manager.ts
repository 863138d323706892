// The shells this server owns: created on first connect, found again by id on resume (by their
// owner only), reaped when no browser has looked at them for the idle time, all ended on
// shutdown. Every shell belongs to an owner ('solo', or 'learner:<id>' in classroom mode); a
// read-only watcher (an instructor) follows the shell its owner looked at last.
import { randomBytes } from 'node:crypto';
import { DisposableStore, type Disposable } from './disposable.ts';
import { CloseCode, END_CLOSE_REASONS, type EndReason, type TerminalSize } from './protocol.ts';
import type { ShellCommand } from './pty.ts';
import { SOLO_OWNER, TerminalSession } from './session.ts';
import type { TerminalSink } from './sink.ts';

export type SessionManagerOptions = {
  /** How a shell is started when create() is not given one (solo mode's host shell). */
  shell?: () => ShellCommand;
  /** Shells with no browser attached for this long are ended. */
  idleTimeoutMs: number;
  /** Scrollback kept per shell for resume (and for a watcher joining late). */
  ringBytes?: number;
  /** At most this many shells (a runaway page should not fork-bomb the machine): beyond it the
   * longest-idle detached shell is ended, and if every shell is in use the new one is refused. */
  maxSessions?: number;
  /** At most this many shells per owner, by the same rule among that owner's shells. The solo
   * owner (the machine's one user, with a tab per lesson) is limited by maxSessions only. */
  maxSessionsPerOwner?: number;
  /** Read-only watchers per owner. */
  maxWatchersPerOwner?: number;
  /** A watcher whose socket holds more than this unsent output is skipped, then resynced from the ring. */
  watcherBacklogBytes?: number;
  highWatermark?: number;
  lowWatermark?: number;
};

export type CreateSessionOptions = {
  /** Who may resume this shell (default SOLO_OWNER). */
  owner?: string;
  /** How to start it (default: the manager's `shell`). */
  shell?: ShellCommand;
};

export const DEFAULT_RING_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_SESSIONS = 32;
export const DEFAULT_MAX_SESSIONS_PER_OWNER = 4;
export const DEFAULT_MAX_WATCHERS_PER_OWNER = 4;

export class TooManySessionsError extends Error {}

type Watch = { owner: string; sink: TerminalSink; session: TerminalSession | undefined };

export class SessionManager {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly watches = new Map<string, Set<Watch>>();
  private readonly watcherListeners = new Set<(owner: string, count: number) => void>();
  private readonly commandListeners = new Set<(owner: string, line: string) => void>();
  private readonly disposables = new DisposableStore();
  private readonly options: SessionManagerOptions;

  constructor(options: SessionManagerOptions) {
    this.options = options;
    const sweepEvery = Math.max(250, Math.min(60_000, Math.floor(options.idleTimeoutMs / 4)));
    const sweeper = setInterval(() => this.reapIdle(), sweepEvery);
    sweeper.unref();
    this.disposables.add({ dispose: () => clearInterval(sweeper) });
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Any session by id, whoever owns it (for the server's own use: sockets resume with find()). */
  get(id: string): TerminalSession | undefined {
    return this.sessions.get(id);
  }

  /** The session `id` if `owner` owns it: someone else's shell is as unknown as a made-up id. */
  find(id: string, owner: string): TerminalSession | undefined {
    const session = this.sessions.get(id);
    return session && session.owner === owner && !session.hasExited ? session : undefined;
  }

  /** The owner's live shells. */
  sessionsOf(owner: string): TerminalSession[] {
    return [...this.sessions.values()].filter((session) => session.owner === owner && !session.hasExited);
  }

  /** The shell a watcher of `owner` sees: one with a browser attached, the most recently attached first. */
  latest(owner: string): TerminalSession | undefined {
    const rank = (s: TerminalSession) => (s.isAttached ? 1 : 0);
    return this.sessionsOf(owner).sort((a, b) => rank(b) - rank(a) || b.attachedAt - a.attachedAt)[0];
  }

  create(size: TerminalSize, options: CreateSessionOptions = {}): TerminalSession {
    if (this.disposables.isDisposed) throw new Error('session manager is shut down');
    const owner = options.owner ?? SOLO_OWNER;
    const shell = options.shell ?? this.options.shell?.();
    if (!shell) throw new Error('no shell command: pass one to create() or give the manager a default');
    const max = this.options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.reapIdle();
    if (owner !== SOLO_OWNER) {
      const perOwner = this.options.maxSessionsPerOwner ?? DEFAULT_MAX_SESSIONS_PER_OWNER;
      this.makeRoom(this.sessionsOf(owner), perOwner, `too many terminal sessions for ${owner} (limit ${perOwner})`);
    }
    this.makeRoom([...this.sessions.values()], max, `too many terminal sessions in use (limit ${max})`);
    const id = randomBytes(18).toString('base64url');
    const session = new TerminalSession({
      id,
      owner,
      ...shell,
      ...size,
      ringBytes: this.options.ringBytes ?? DEFAULT_RING_BYTES,
      highWatermark: this.options.highWatermark,
      lowWatermark: this.options.lowWatermark,
      watcherBacklogBytes: this.options.watcherBacklogBytes,
    });
    this.sessions.set(id, session);
    // The owner looks at this shell now: their watchers follow.
    session.onDidAttach(() => this.follow(owner));
    // The owner is the session's (the server's word), never anything the mark says.
    session.onDidRunCommand((line) => this.commandRan(owner, line));
    session.onDidExit(() => {
      this.sessions.delete(id);
      this.follow(owner);
    });
    return session;
  }

  /**
   * Adds a read-only watcher of `owner`'s terminal: it sees the shell the owner looked at last
   * (its scrollback, then live output), moves along when the owner opens or switches to another,
   * and waits when the owner has none. `from` resumes a reconnecting watcher without repeats.
   * Dispose the result when the watcher's socket closes.
   */
  watch(owner: string, sink: TerminalSink, from?: { session?: string; seq?: number }): Disposable {
    if (this.disposables.isDisposed) throw new Error('session manager is shut down');
    const set = this.watches.get(owner) ?? new Set<Watch>();
    const max = this.options.maxWatchersPerOwner ?? DEFAULT_MAX_WATCHERS_PER_OWNER;
    if (set.size >= max) throw new TooManySessionsError(`too many watchers of ${owner} (limit ${max})`);
    const watch: Watch = { owner, sink, session: undefined };
    set.add(watch);
    this.watches.set(owner, set);
    const session = this.latest(owner);
    if (session) {
      watch.session = session;
      session.addWatcher(sink, from?.session === session.watchId ? from.seq : undefined);
    }
    this.watchersChanged(owner);
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        watch.session?.removeWatcher(sink);
        set.delete(watch);
        if (set.size === 0 && this.watches.get(owner) === set) this.watches.delete(owner);
        this.watchersChanged(owner);
      },
    };
  }

  /**
   * Whether anyone looks at `owner`'s terminal now: a browser attached to one of their shells, or
   * a read-only watcher (the classroom freezes a learner's idle environment only when nobody does).
   */
  inUse(owner: string): boolean {
    return this.watchers(owner) > 0 || this.sessionsOf(owner).some((session) => session.isAttached);
  }

  /** How many read-only watchers `owner` has (the learner's page says an instructor is watching). */
  watchers(owner: string): number {
    return this.watches.get(owner)?.size ?? 0;
  }

  /** Called with the new count whenever a watcher of an owner joins or leaves. */
  onWatchersChange(listener: (owner: string, count: number) => void): Disposable {
    this.watcherListeners.add(listener);
    return { dispose: () => void this.watcherListeners.delete(listener) };
  }

  /** Called when a shell reports a command it ran (shell-marks.ts), with the shell's owner. */
  onCommandRan(listener: (owner: string, line: string) => void): Disposable {
    this.commandListeners.add(listener);
    return { dispose: () => void this.commandListeners.delete(listener) };
  }

  /**
   * Ends every shell of `owner` for `reason` (their class ended) and closes their watchers' views:
   * all are told why (never an exit code) and none reconnects. Call it before taking away what the
   * shells run in. Returns how many shells ended.
   */
  endOwner(owner: string, reason: EndReason): number {
    const shells = this.sessionsOf(owner);
    for (const session of shells) session.end(reason);
    for (const watch of [...(this.watches.get(owner) ?? [])]) watch.sink.close(CloseCode.shellEnded, END_CLOSE_REASONS[reason]);
    return shells.length;
  }

  /** Ends shells nobody has looked at for the idle timeout. Returns how many were reaped. */
  reapIdle(now: number = Date.now()): number {
    let reaped = 0;
    for (const session of [...this.sessions.values()]) {
      if (!session.isAttached && session.idleFor(now) >= this.options.idleTimeoutMs) {
        session.terminate('idle shell reaped');
        this.sessions.delete(session.id);
        reaped++;
      }
    }
    return reaped;
  }

  dispose(): void {
    this.disposables.dispose();
    for (const session of [...this.sessions.values()]) session.terminate('server shutting down');
    this.sessions.clear();
    for (const set of [...this.watches.values()]) {
      for (const watch of set) watch.sink.close(CloseCode.serverShutdown, 'server shutting down');
    }
    this.watches.clear();
  }

  /** Below `max` among `candidates`: end the one nobody has looked at for longest; refuse if all are in use. */
  private makeRoom(candidates: TerminalSession[], max: number, refusal: string): void {
    while (candidates.length >= max) {
      const oldest = candidates.filter((session) => !session.isAttached).sort((a, b) => b.idleFor() - a.idleFor())[0];
      if (!oldest) throw new TooManySessionsError(refusal);
      oldest.terminate('too many shells: ended the one idle longest');
      this.sessions.delete(oldest.id);
      candidates.splice(candidates.indexOf(oldest), 1);
    }
  }

  /** Moves the owner's watchers to the shell they should see now (or leaves them waiting). */
  private follow(owner: string): void {
    const set = this.watches.get(owner);
    if (!set || this.disposables.isDisposed) return;
    const target = this.latest(owner);
    for (const watch of set) {
      if (watch.session === target) continue;
      if (watch.session && !watch.session.hasExited) watch.session.removeWatcher(watch.sink);
      watch.session = target;
      target?.addWatcher(watch.sink);
    }
  }

  private commandRan(owner: string, line: string): void {
    for (const listener of [...this.commandListeners]) {
      try {
        listener(owner, line);
      } catch {
        // A listener's failure must not break the shell's output.
      }
    }
  }

  private watchersChanged(owner: string): void {
    const count = this.watchers(owner);
    for (const listener of [...this.watcherListeners]) {
      try {
        listener(owner, count);
      } catch {
        // A listener's failure must not break a socket's open or close.
      }
    }
  }
}
