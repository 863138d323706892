// One shell in a pty, outliving the sockets that look at it: output goes into a bounded ring
// (for resume) and to the attached browser (if any), paced by acknowledged bytes. Read-only
// watchers get the same output through session-watchers.ts, never pausing the shell. The pty
// itself (a local process or a shell in a pod) is pty.ts's; where output goes is sink.ts's.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { DisposableStore } from './disposable.ts';
import { OutputFlow, type FlowAction } from './flow-control.ts';
import { OutputRing } from './output-ring.ts';
import { openPty, shellName, type Pty, type ShellCommand } from './pty.ts';
import { ShellMarks } from './shell-marks.ts';
import { SessionWatchers } from './session-watchers.ts';
import { sendReplay, type TerminalSink } from './sink.ts';
import { StartupResizes } from './startup-resize.ts';
import { ScrollbackAnnouncement } from './tmux-scrollback.ts';
import { CloseCode, END_CLOSE_REASONS, OUTPUT_BATCH_BYTES, encodeOutput, encodeOutputChunks, type EndReason, type ServerControl, type TerminalSize } from './protocol.ts';

// What a session runs is pty.ts's type; the environments that make one name it from here.
export type { ShellCommand } from './pty.ts';

/** The owner of every session in solo mode (the machine's own user). */
export const SOLO_OWNER = 'solo';

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

export type AttachResult = { seq: number; truncated: boolean; resumed: boolean };

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
  /** Why the platform ended the shell (end()): said instead of the exit code its end left. */
  private endedFor: EndReason | undefined;
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
  private readonly watchers: SessionWatchers;
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
    this.shell = shellName(options);
    this.ring = new OutputRing(options.ringBytes);
    this.flow = new OutputFlow(options.highWatermark, options.lowWatermark);
    this.watchers = new SessionWatchers(this.ring, () => ({ session: this.watchId, shell: this.shell, size: this.size }), options.watcherBacklogBytes);
    this.size = { cols: options.cols, rows: options.rows };
    this.pty = openPty(options, this.size);
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
    return this.watchers.lagging;
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
    sink.sendControl({ t: 'ready', session: this.id, seq: replay.seq, live: this.ring.end, resumed, truncated: replay.truncated, shell: this.shell });
    if (this.tmuxScrollback) sink.sendControl({ t: 'scrollback', via: 'tmux' });
    this.dropPending();
    // Account before sending: a sink may acknowledge synchronously.
    this.sentTo = this.ring.end;
    this.apply(this.flow.attach(replay.seq, this.ring.end));
    sendReplay(sink, replay);
    if (this.exited) {
      const { message, code, reason } = this.farewell();
      sink.sendControl(message);
      sink.close(code, reason);
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
    this.watchers.add(sink, fromSeq);
    if (this.exited) {
      this.watchers.remove(sink);
      sink.sendControl(this.farewell().message);
    }
  }

  removeWatcher(sink: TerminalSink): void {
    this.watchers.remove(sink);
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
    this.watchers.tell({ t: 'size', ...this.size });
  }

  ack(seq: number): void {
    this.apply(this.flow.ackedUpTo(seq));
  }

  /** Ends the shell (reaping, shutdown). Watchers are not closed: their owner decides (see SessionManager). */
  terminate(reason: string): void {
    const sink = this.sink;
    this.sink = undefined;
    if (sink) sink.close(CloseCode.serverShutdown, reason);
    if (!this.exited) this.hangUp();
  }

  /**
   * The platform ends the shell for `reason` (the class ended), before what it runs in is taken
   * away: its browser and watchers are told that, never the exit code the shell's end leaves (a
   * killed sandbox: 137), and the browser's socket closes for good. Nothing if it is over already.
   */
  end(reason: EndReason): void {
    if (this.exited) return;
    this.endedFor = reason;
    this.hangUp();
  }

  private hangUp(): void {
    try {
      this.pty.kill('SIGHUP');
    } catch {
      // Already gone.
    }
    // node-pty reports exit asynchronously; make sure listeners hear about it even if it never does.
    this.onExit(129, 1);
  }

  /** What the browser and watchers hear once the shell is over, and how the browser's socket closes. */
  private farewell(): { message: ServerControl; code: number; reason: string } {
    if (this.endedFor) return { message: { t: 'ended', reason: this.endedFor }, code: CloseCode.shellEnded, reason: END_CLOSE_REASONS[this.endedFor] };
    return { message: { t: 'exit', ...this.exited! }, code: CloseCode.shellExited, reason: 'the shell has exited' };
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
      this.watchers.flush(true);
      this.endOfTurn = setImmediate(() => {
        this.endOfTurn = undefined;
        this.flush();
        this.watchers.flush(true);
      });
    } else {
      if (this.pendingBytes >= OUTPUT_BATCH_BYTES) this.flush();
      if (this.watchers.size > 0) this.watchers.flush(false);
    }
  }

  private announceTmuxScrollback(): void {
    if (this.tmuxScrollback) return;
    this.tmuxScrollback = true;
    this.sink?.sendControl({ t: 'scrollback', via: 'tmux' });
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
    this.watchers.flush(true);
    this.exited = signal ? { code, signal } : { code };
    const sink = this.sink;
    this.sink = undefined;
    const farewell = this.farewell();
    if (sink) {
      sink.sendControl(farewell.message);
      sink.close(farewell.code, farewell.reason);
    }
    this.watchers.end(farewell.message);
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
