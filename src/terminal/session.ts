// One shell in a pty, outliving the sockets that look at it: output goes into a bounded ring
// (for resume) and to the attached browser (if any), paced by acknowledged bytes. Read-only
// watchers (an instructor) get the same output, paced by their own socket's backlog only: a slow
// watcher is skipped and later resynchronised from the ring, never allowed to pause the shell.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { spawn } from '@lydell/node-pty';
import { ExecPty, type ExecTarget } from './exec-pty.ts';
import { DisposableStore } from './disposable.ts';
import { OutputFlow, type FlowAction } from './flow-control.ts';
import { OutputRing, type Replay } from './output-ring.ts';
import { ShellMarks } from './shell-marks.ts';
import { StartupResizes } from './startup-resize.ts';
import { ScrollbackAnnouncement } from './tmux-scrollback.ts';
import {
  CloseCode,
  OUTPUT_BATCH_BYTES,
  encodeOutput,
  encodeOutputChunks,
  type ServerControl,
  type TerminalSize,
} from './protocol.ts';

/** Where a session's output goes: the WebSocket in production, a recorder in tests. */
export interface TerminalSink {
  sendOutput(frame: Uint8Array): void;
  sendControl(message: ServerControl): void;
  close(code: number, reason: string): void;
  /** Bytes written but not yet taken by the network (a socket's writableLength); watchers only. */
  backlog?(): number;
}

/** The owner of every session in solo mode (the machine's own user). */
export const SOLO_OWNER = 'solo';

export type ShellCommand = {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** A shell in a pod instead (the exec API, no local process); file and args then only name it. */
  exec?: ExecTarget;
};

/** What a session needs of its terminal: node-pty's IPty, or an ExecPty (a shell in a pod). */
type Pty = {
  readonly pid: number;
  readonly process: string;
  onData(listener: (data: string | Buffer) => void): { dispose(): void };
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
  pause(): void;
  resume(): void;
};

export type SessionOptions = ShellCommand &
  TerminalSize & {
    id: string;
    /** Who may attach to this shell ('solo', 'learner:<id>'); default SOLO_OWNER. */
    owner?: string;
    /** Bytes of scrollback kept for resume. */
    ringBytes: number;
    highWatermark?: number;
    lowWatermark?: number;
    /** A watcher whose socket holds more than this unsent is skipped until it drains (default WATCHER_BACKLOG_BYTES). */
    watcherBacklogBytes?: number;
  };

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

export type AttachResult = { seq: number; truncated: boolean; resumed: boolean };

/** Output read from the ring, in frames of up to OUTPUT_BATCH_BYTES (a flood leaves ~1,000 small chunks). */
function sendReplay(sink: TerminalSink, replay: Replay): void {
  let offset = replay.seq;
  for (let i = 0; i < replay.chunks.length; ) {
    const batch: Uint8Array[] = [];
    let bytes = 0;
    while (i < replay.chunks.length && (batch.length === 0 || bytes + replay.chunks[i]!.length <= OUTPUT_BATCH_BYTES)) {
      bytes += replay.chunks[i]!.length;
      batch.push(replay.chunks[i++]!);
    }
    sink.sendOutput(encodeOutputChunks(offset, batch));
    offset += bytes;
  }
}

export class TerminalSession {
  readonly id: string;
  /** The id watchers see (they must never learn the id that resumes the shell). */
  readonly watchId: string;
  readonly owner: string;
  readonly shell: string;
  private readonly pty: Pty;
  private readonly ring: OutputRing;
  private readonly flow: OutputFlow;
  private readonly disposables = new DisposableStore();
  private sink: TerminalSink | undefined;
  private exited: { code: number; signal?: number } | undefined;
  private ptyPaused = false;
  private lastDetachedAt: number | undefined = Date.now();
  private lastAttachedAt = 0;
  private readonly exitListeners = new Set<() => void>();
  private readonly attachListeners = new Set<() => void>();
  private readonly commandListeners = new Set<(line: string) => void>();
  /** The shell's command marks (shell-marks.ts), taken out of the output before anyone sees it. */
  private readonly marks = new ShellMarks((line) => {
    for (const listener of [...this.commandListeners]) listener(line);
  });
  /** tmux.conf's announcement of its history keys (tmux-scrollback.ts), taken out of the output. */
  private readonly scrollbackAnnouncement = new ScrollbackAnnouncement(() => this.announceTmuxScrollback());
  private tmuxScrollback = false;
  /** The size the shell was last given: watchers draw at it. */
  private size: TerminalSize;
  private readonly startupResizes: StartupResizes;
  private readonly watchers = new Map<TerminalSink, Watcher>();
  private readonly watcherBacklog: number;
  private watcherPoll: ReturnType<typeof setInterval> | undefined;
  private attachCount = 0;
  /** Output offset up to which the attached browser has been sent frames. */
  private sentTo = 0;
  /** Output read since the last frame (the ring's own copies, never modified). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Set while an event-loop turn has already sent output; fires at the turn's end. */
  private endOfTurn: ReturnType<typeof setImmediate> | undefined;

  constructor(options: SessionOptions) {
    this.id = options.id;
    this.watchId = createHash('sha256').update(`watch:${options.id}`).digest('base64url').slice(0, 24);
    this.owner = options.owner ?? SOLO_OWNER;
    this.shell = options.exec?.command[0] ?? options.file;
    this.watcherBacklog = options.watcherBacklogBytes ?? WATCHER_BACKLOG_BYTES;
    this.ring = new OutputRing(options.ringBytes);
    this.flow = new OutputFlow(options.highWatermark, options.lowWatermark);
    this.pty = options.exec ? new ExecPty(options.exec, options.cols, options.rows) : spawn(options.file, options.args, {
      name: 'xterm-256color',
      cols: options.cols,
      rows: options.rows,
      cwd: options.cwd,
      env: options.env,
      encoding: null,
    });
    this.size = { cols: options.cols, rows: options.rows };
    this.startupResizes = new StartupResizes(options.exec ? 0 : this.pty.pid);
    this.disposables.add(this.startupResizes);
    this.disposables.add(this.pty.onData((data) => this.onOutput(data as unknown as Uint8Array)));
    this.disposables.add(this.pty.onExit(({ exitCode, signal }) => this.onExit(exitCode, signal)));
  }

  get pid(): number {
    return this.pty.pid;
  }

  get isAttached(): boolean {
    return this.sink !== undefined;
  }

  get hasExited(): boolean {
    return this.exited !== undefined;
  }

  get isPaused(): boolean {
    return this.ptyPaused;
  }

  get unacknowledgedBytes(): number {
    return this.flow.unacknowledged;
  }

  get outputEnd(): number {
    return this.ring.end;
  }

  /** When a browser last attached (0: never): the owner's most recent shell is the one watched. */
  get attachedAt(): number {
    return this.lastAttachedAt;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Watchers currently skipped because their socket fell behind. */
  get laggingWatchers(): number {
    let lagging = 0;
    for (const watcher of this.watchers.values()) if (watcher.behind) lagging++;
    return lagging;
  }

  /** Milliseconds since the last browser left, or 0 while one is attached. */
  idleFor(now: number = Date.now()): number {
    return this.lastDetachedAt === undefined ? 0 : now - this.lastDetachedAt;
  }

  onDidExit(listener: () => void): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => void this.exitListeners.delete(listener) };
  }

  /** A browser attached (the owner looks at this shell now). */
  onDidAttach(listener: () => void): { dispose(): void } {
    this.attachListeners.add(listener);
    return { dispose: () => void this.attachListeners.delete(listener) };
  }

  /** The shell reported a command line it ran (a mark; see shell-marks.ts: anyone in the shell can forge one). */
  onDidRunCommand(listener: (line: string) => void): { dispose(): void } {
    this.commandListeners.add(listener);
    return { dispose: () => void this.commandListeners.delete(listener) };
  }

  /**
   * Connects a browser. A previous browser is told it was taken over. Output from `fromSeq`
   * (default: everything still buffered) is replayed before live output continues.
   */
  attach(sink: TerminalSink, fromSeq?: number): AttachResult {
    const previous = this.sink;
    this.sink = sink;
    this.lastDetachedAt = undefined;
    this.lastAttachedAt = Date.now();
    if (previous) previous.close(CloseCode.sessionTakenOver, 'this terminal was opened in another tab');
    const replay = this.ring.readFrom(fromSeq ?? this.ring.start);
    const resumed = this.attachCount++ > 0;
    sink.sendControl({ t: 'ready', session: this.id, seq: replay.seq, resumed, truncated: replay.truncated, shell: this.shell });
    if (this.tmuxScrollback) sink.sendControl({ t: 'scrollback', via: 'tmux' });
    this.dropPending();
    // Account before sending: a sink may acknowledge synchronously.
    this.sentTo = this.ring.end;
    this.apply(this.flow.attach(replay.seq, this.ring.end));
    sendReplay(sink, replay);
    if (this.exited) {
      sink.sendControl({ t: 'exit', ...this.exited });
      sink.close(CloseCode.shellExited, 'the shell has exited');
      this.sink = undefined;
    } else {
      for (const listener of [...this.attachListeners]) listener();
    }
    return { seq: replay.seq, truncated: replay.truncated, resumed };
  }

  /**
   * Adds a read-only watcher: it gets the scrollback from `fromSeq` (default: all the ring holds)
   * and then live output. Its acknowledgements, input and resizes are not this session's concern:
   * the caller ignores them. Nothing a watcher does (or fails to do) pauses the shell.
   */
  addWatcher(sink: TerminalSink, fromSeq?: number): void {
    if (this.watchers.has(sink)) return;
    const watcher: Watcher = { sink, sentTo: fromSeq ?? this.ring.start, behind: false };
    this.watchers.set(sink, watcher);
    this.sendToWatcher(watcher, true);
    if (this.exited) {
      this.watchers.delete(sink);
      sink.sendControl({ t: 'exit', ...this.exited });
    }
  }

  removeWatcher(sink: TerminalSink): void {
    this.watchers.delete(sink);
    if (![...this.watchers.values()].some((w) => w.behind)) this.stopWatcherPoll();
  }

  /** The browser went away; the shell keeps running until reaped. */
  detach(sink: TerminalSink): void {
    if (this.sink !== sink) return;
    this.dropPending();
    this.sink = undefined;
    this.lastDetachedAt = Date.now();
    this.apply(this.flow.detach());
  }

  input(bytes: Uint8Array): void {
    if (this.exited || bytes.length === 0) return;
    this.pty.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as string);
  }

  /**
   * Prepares the prompt for a command typed on the learner's behalf: when the shell itself is in
   * the foreground, clears whatever is on its command line (Ctrl-E, Ctrl-U: readline and zle
   * both) and returns undefined; otherwise returns the program that would receive the keys.
   */
  prepareRun(): string | undefined {
    if (this.exited) return 'nothing (the shell has exited)';
    const foreground = this.pty.process;
    if (foreground && basename(foreground) !== basename(this.shell)) return basename(foreground);
    this.pty.write('\x05\x15');
    return undefined;
  }

  resize(size: TerminalSize): void {
    if (this.exited) return;
    const changed = size.cols !== this.size.cols || size.rows !== this.size.rows;
    this.pty.resize(size.cols, size.rows);
    this.size = { cols: size.cols, rows: size.rows };
    this.startupResizes.resized();
    if (!changed) return;
    for (const watcher of [...this.watchers.values()]) this.tellWatcher(watcher, { t: 'size', ...this.size });
  }

  ack(seq: number): void {
    this.apply(this.flow.ackedUpTo(seq));
  }

  /** Ends the shell (reaping, shutdown). Watchers are not closed: their owner decides (see SessionManager). */
  terminate(reason: string): void {
    const sink = this.sink;
    this.sink = undefined;
    if (sink) sink.close(CloseCode.serverShutdown, reason);
    if (!this.exited) {
      try {
        this.pty.kill('SIGHUP');
      } catch {
        // Already gone.
      }
      // node-pty reports exit asynchronously; make sure listeners hear about it even if it never does.
      this.onExit(129, 1);
    }
  }

  /**
   * The first output of an event-loop turn goes out at once, so a keystroke's echo never waits
   * (not even during a flood); whatever node-pty reads later in the same turn is coalesced and
   * sent at the end of the turn (or when it reaches OUTPUT_BATCH_BYTES), so a flood still travels
   * in few, large frames.
   */
  private onOutput(bytes: Uint8Array): void {
    const chunk = this.ring.append(this.marks.filter(this.scrollbackAnnouncement.filter(bytes)));
    if (chunk.length === 0) return;
    if (this.sink) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    } else if (this.watchers.size === 0) {
      return;
    }
    if (this.endOfTurn === undefined) {
      this.flush();
      this.flushWatchers(true);
      this.endOfTurn = setImmediate(() => {
        this.endOfTurn = undefined;
        this.flush();
        this.flushWatchers(true);
      });
    } else {
      if (this.pendingBytes >= OUTPUT_BATCH_BYTES) this.flush();
      if (this.watchers.size > 0) this.flushWatchers(false);
    }
  }

  /** Sends each watcher what it has not had yet: always (`force`), or once a full frame's worth piled up. */
  private flushWatchers(force: boolean): void {
    for (const watcher of this.watchers.values()) {
      if (!watcher.behind && (force ? watcher.sentTo < this.ring.end : this.ring.end - watcher.sentTo >= OUTPUT_BATCH_BYTES)) {
        this.sendToWatcher(watcher, false);
      }
    }
  }

  /**
   * Output from the watcher's offset, read from the ring in frames. A watcher whose socket holds
   * more than the backlog limit is skipped (marked behind) and polled until it drains; it then
   * continues from the ring, told with a `ready` (truncated) when the ring has moved past it.
   */
  private sendToWatcher(watcher: Watcher, first: boolean): void {
    const { sink } = watcher;
    try {
      if (!first && (sink.backlog?.() ?? 0) > this.watcherBacklog) {
        watcher.behind = true;
        this.startWatcherPoll();
        return;
      }
      const replay = this.ring.readFrom(watcher.sentTo);
      if (first || replay.truncated) {
        sink.sendControl({ t: 'ready', session: this.watchId, seq: replay.seq, resumed: !first, truncated: replay.truncated, shell: this.shell });
        // A watcher draws at the learner's size, not its own window's: tmux's screen is that size.
        sink.sendControl({ t: 'size', ...this.size });
      }
      watcher.sentTo = this.ring.end;
      sendReplay(sink, replay);
    } catch {
      // A watcher's broken socket is the watcher's problem, never the shell's.
      this.removeWatcher(sink);
    }
  }

  private tellWatcher(watcher: Watcher, message: ServerControl): void {
    try {
      watcher.sink.sendControl(message);
    } catch {
      this.removeWatcher(watcher.sink);
    }
  }

  private announceTmuxScrollback(): void {
    if (this.tmuxScrollback) return;
    this.tmuxScrollback = true;
    this.sink?.sendControl({ t: 'scrollback', via: 'tmux' });
  }

  private startWatcherPoll(): void {
    if (this.watcherPoll !== undefined) return;
    this.watcherPoll = setInterval(() => {
      let stillBehind = false;
      for (const watcher of [...this.watchers.values()]) {
        if (!watcher.behind) continue;
        if ((watcher.sink.backlog?.() ?? 0) > this.watcherBacklog / 2) {
          stillBehind = true;
          continue;
        }
        watcher.behind = false;
        this.sendToWatcher(watcher, false);
        if (watcher.behind) stillBehind = true;
      }
      if (!stillBehind) this.stopWatcherPoll();
    }, WATCHER_POLL_MS);
    this.watcherPoll.unref();
  }

  private stopWatcherPoll(): void {
    if (this.watcherPoll !== undefined) clearInterval(this.watcherPoll);
    this.watcherPoll = undefined;
  }

  /** Sends everything produced since the last frame as one frame. */
  private flush(): void {
    const sink = this.sink;
    const chunks = this.pending;
    if (!sink || chunks.length === 0) return;
    const seq = this.sentTo;
    this.pending = [];
    this.pendingBytes = 0;
    const frame = chunks.length === 1 ? encodeOutput(seq, chunks[0]!) : encodeOutputChunks(seq, chunks);
    // Account before sending: a sink may acknowledge synchronously.
    this.sentTo = this.ring.end;
    this.apply(this.flow.sentUpTo(this.sentTo));
    sink.sendOutput(frame);
  }

  /**
   * A browser left or a new one takes over from the ring: unsent output is theirs to replay. The
   * end-of-turn flush stays scheduled (it then finds nothing pending) so watchers still get theirs.
   */
  private dropPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  private onExit(code: number, signal?: number): void {
    if (this.exited) return;
    this.flush();
    this.flushWatchers(true);
    this.exited = signal ? { code, signal } : { code };
    const sink = this.sink;
    this.sink = undefined;
    if (sink) {
      sink.sendControl({ t: 'exit', ...this.exited });
      sink.close(CloseCode.shellExited, 'the shell has exited');
    }
    for (const watcher of this.watchers.values()) {
      try {
        watcher.sink.sendControl({ t: 'exit', ...this.exited });
      } catch {
        // Its socket is gone: nothing to tell.
      }
    }
    this.watchers.clear();
    this.stopWatcherPoll();
    if (this.endOfTurn !== undefined) clearImmediate(this.endOfTurn);
    this.endOfTurn = undefined;
    this.disposables.dispose();
    for (const listener of [...this.exitListeners]) listener();
    this.exitListeners.clear();
    this.attachListeners.clear();
    this.commandListeners.clear();
  }

  private apply(action: FlowAction): void {
    if (this.exited) return;
    if (action === 'pause' && !this.ptyPaused) {
      this.ptyPaused = true;
      this.pty.pause();
    } else if (action === 'resume' && this.ptyPaused) {
      this.ptyPaused = false;
      this.pty.resume();
    }
  }
}
