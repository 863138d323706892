// The shells this server owns: created on first connect, found again by id on resume, reaped
// when no browser has looked at them for the idle time, all ended on shutdown.
import { randomBytes } from 'node:crypto';
import { DisposableStore } from './disposable.ts';
import { TerminalSession, type ShellCommand } from './session.ts';
import type { TerminalSize } from './protocol.ts';

export type SessionManagerOptions = {
  /** How the shell is started (file, args, env, cwd); called per new session. */
  shell: () => ShellCommand;
  /** Shells with no browser attached for this long are ended. */
  idleTimeoutMs: number;
  /** Scrollback kept per shell for resume. */
  ringBytes?: number;
  /** At most this many shells (a runaway page should not fork-bomb the machine): beyond it the
   * longest-idle detached shell is ended, and if every shell is in use the new one is refused. */
  maxSessions?: number;
  highWatermark?: number;
  lowWatermark?: number;
};

export const DEFAULT_RING_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_SESSIONS = 32;

export class TooManySessionsError extends Error {}

export class SessionManager {
  private readonly sessions = new Map<string, TerminalSession>();
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

  get(id: string): TerminalSession | undefined {
    return this.sessions.get(id);
  }

  create(size: TerminalSize): TerminalSession {
    if (this.disposables.isDisposed) throw new Error('session manager is shut down');
    const max = this.options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (this.sessions.size >= max) {
      this.reapIdle();
      // Still full: end the shell nobody has looked at for longest; refuse only if all are in use.
      if (this.sessions.size >= max) {
        const detached = [...this.sessions.values()].filter((session) => !session.isAttached);
        const oldest = detached.sort((a, b) => b.idleFor() - a.idleFor())[0];
        if (!oldest) throw new TooManySessionsError(`too many terminal sessions in use (limit ${max})`);
        oldest.terminate('too many shells: ended the one idle longest');
        this.sessions.delete(oldest.id);
      }
    }
    const id = randomBytes(18).toString('base64url');
    const session = new TerminalSession({
      id,
      ...this.options.shell(),
      ...size,
      ringBytes: this.options.ringBytes ?? DEFAULT_RING_BYTES,
      highWatermark: this.options.highWatermark,
      lowWatermark: this.options.lowWatermark,
    });
    this.sessions.set(id, session);
    session.onDidExit(() => this.sessions.delete(id));
    return session;
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
  }
}
