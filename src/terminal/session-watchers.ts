// A session's read-only watchers (an instructor looking at a learner's terminal). They get the
// same output as the attached browser, paced by their own socket's backlog only: a slow watcher
// is skipped and later resynchronised from the ring, never allowed to pause the shell. Apart from
// session.ts because none of this touches the shell or the browser's flow control.
import type { OutputRing } from './output-ring.ts';
import { OUTPUT_BATCH_BYTES, type ServerControl, type TerminalSize } from './protocol.ts';
import { sendReplay, type TerminalSink } from './sink.ts';

/** A watcher's socket may hold this much unsent output before it is skipped (then resynced from the ring). */
export const WATCHER_BACKLOG_BYTES = 1024 * 1024;
/** How often a skipped watcher's socket is checked for having drained. */
const WATCHER_POLL_MS = 50;

type Watcher = {
  sink: TerminalSink;
  /** Output offset up to which this watcher has been sent frames. */
  sentTo: number;
  /** Skipped: its socket fell behind; resynced from the ring once it drains. */
  behind: boolean;
};

/** What a watcher is told of the shell when it (re)starts from the ring. */
export type WatchedShell = {
  /** The id watchers see (never the one that resumes the shell). */
  session: string;
  shell: string;
  /** The learner's terminal size: a watcher draws at it, tmux's screen is that size. */
  size: TerminalSize;
};

export class SessionWatchers {
  private readonly watchers = new Map<TerminalSink, Watcher>();
  private readonly ring: OutputRing;
  private readonly shell: () => WatchedShell;
  private readonly backlogLimit: number;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(ring: OutputRing, shell: () => WatchedShell, backlogLimit = WATCHER_BACKLOG_BYTES) {
    this.ring = ring;
    this.shell = shell;
    this.backlogLimit = backlogLimit;
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Watchers currently skipped because their socket fell behind. */
  get lagging(): number {
    let lagging = 0;
    for (const watcher of this.watchers.values()) if (watcher.behind) lagging++;
    return lagging;
  }

  /** Adds a watcher and sends it the ring from `fromSeq` (default: all the ring holds). */
  add(sink: TerminalSink, fromSeq?: number): void {
    if (this.watchers.has(sink)) return;
    const watcher: Watcher = { sink, sentTo: fromSeq ?? this.ring.start, behind: false };
    this.watchers.set(sink, watcher);
    this.send(watcher, true);
  }

  remove(sink: TerminalSink): void {
    this.watchers.delete(sink);
    if (![...this.watchers.values()].some((w) => w.behind)) this.stopPoll();
  }

  /** Sends each watcher what it has not had yet: always (`force`), or once a full frame's worth piled up. */
  flush(force: boolean): void {
    for (const watcher of this.watchers.values()) {
      if (!watcher.behind && (force ? watcher.sentTo < this.ring.end : this.ring.end - watcher.sentTo >= OUTPUT_BATCH_BYTES)) {
        this.send(watcher, false);
      }
    }
  }

  /** A control message for every watcher (the shell's new size); a broken socket drops its watcher. */
  tell(message: ServerControl): void {
    for (const watcher of [...this.watchers.values()]) {
      try {
        watcher.sink.sendControl(message);
      } catch {
        this.remove(watcher.sink);
      }
    }
  }

  /** The shell is over: every watcher is told `message`, then forgotten (their sockets are their owner's to close). */
  end(message: ServerControl): void {
    for (const watcher of this.watchers.values()) {
      try {
        watcher.sink.sendControl(message);
      } catch {
        // Its socket is gone: nothing to tell.
      }
    }
    this.watchers.clear();
    this.stopPoll();
  }

  /**
   * Output from the watcher's offset, read from the ring in frames. A watcher whose socket holds
   * more than the backlog limit is skipped (marked behind) and polled until it drains; it then
   * continues from the ring, told with a `ready` (truncated) when the ring has moved past it.
   */
  private send(watcher: Watcher, first: boolean): void {
    const { sink } = watcher;
    try {
      if (!first && (sink.backlog?.() ?? 0) > this.backlogLimit) {
        watcher.behind = true;
        this.startPoll();
        return;
      }
      const replay = this.ring.readFrom(watcher.sentTo);
      if (first || replay.truncated) {
        const { session, shell, size } = this.shell();
        sink.sendControl({ t: 'ready', session, seq: replay.seq, live: this.ring.end, resumed: !first, truncated: replay.truncated, shell });
        // A watcher draws at the learner's size, not its own window's: tmux's screen is that size.
        sink.sendControl({ t: 'size', ...size });
      }
      watcher.sentTo = this.ring.end;
      sendReplay(sink, replay);
    } catch {
      // A watcher's broken socket is the watcher's problem, never the shell's.
      this.remove(sink);
    }
  }

  private startPoll(): void {
    if (this.poll !== undefined) return;
    this.poll = setInterval(() => {
      let stillBehind = false;
      for (const watcher of [...this.watchers.values()]) {
        if (!watcher.behind) continue;
        if ((watcher.sink.backlog?.() ?? 0) > this.backlogLimit / 2) {
          stillBehind = true;
          continue;
        }
        watcher.behind = false;
        this.send(watcher, false);
        if (watcher.behind) stillBehind = true;
      }
      if (!stillBehind) this.stopPoll();
    }, WATCHER_POLL_MS);
    this.poll.unref();
  }

  private stopPoll(): void {
    if (this.poll !== undefined) clearInterval(this.poll);
    this.poll = undefined;
  }
}
