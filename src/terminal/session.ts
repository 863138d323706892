// One shell in a pty, outliving the sockets that look at it: output goes into a bounded ring
// (for resume) and to the attached browser (if any), paced by acknowledged bytes.
import { basename } from 'node:path';
import { spawn, type IPty } from '@lydell/node-pty';
import { DisposableStore } from './disposable.ts';
import { OutputFlow, type FlowAction } from './flow-control.ts';
import { OutputRing } from './output-ring.ts';
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
}

export type ShellCommand = {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
};

export type SessionOptions = ShellCommand &
  TerminalSize & {
    id: string;
    /** Bytes of scrollback kept for resume. */
    ringBytes: number;
    highWatermark?: number;
    lowWatermark?: number;
  };

export type AttachResult = { seq: number; truncated: boolean; resumed: boolean };

export class TerminalSession {
  readonly id: string;
  readonly shell: string;
  private readonly pty: IPty;
  private readonly ring: OutputRing;
  private readonly flow: OutputFlow;
  private readonly disposables = new DisposableStore();
  private sink: TerminalSink | undefined;
  private exited: { code: number; signal?: number } | undefined;
  private ptyPaused = false;
  private lastDetachedAt: number | undefined = Date.now();
  private readonly exitListeners = new Set<() => void>();
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
    this.shell = options.file;
    this.ring = new OutputRing(options.ringBytes);
    this.flow = new OutputFlow(options.highWatermark, options.lowWatermark);
    this.pty = spawn(options.file, options.args, {
      name: 'xterm-256color',
      cols: options.cols,
      rows: options.rows,
      cwd: options.cwd,
      env: options.env,
      encoding: null,
    });
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

  /** Milliseconds since the last browser left, or 0 while one is attached. */
  idleFor(now: number = Date.now()): number {
    return this.lastDetachedAt === undefined ? 0 : now - this.lastDetachedAt;
  }

  onDidExit(listener: () => void): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => void this.exitListeners.delete(listener) };
  }

  /**
   * Connects a browser. A previous browser is told it was taken over. Output from `fromSeq`
   * (default: everything still buffered) is replayed before live output continues.
   */
  attach(sink: TerminalSink, fromSeq?: number): AttachResult {
    const previous = this.sink;
    this.sink = sink;
    this.lastDetachedAt = undefined;
    if (previous) previous.close(CloseCode.sessionTakenOver, 'this terminal was opened in another tab');
    const replay = this.ring.readFrom(fromSeq ?? this.ring.start);
    const resumed = this.attachCount++ > 0;
    sink.sendControl({ t: 'ready', session: this.id, seq: replay.seq, resumed, truncated: replay.truncated, shell: this.shell });
    this.dropPending();
    // Account before sending: a sink may acknowledge synchronously.
    this.sentTo = this.ring.end;
    this.apply(this.flow.attach(replay.seq, this.ring.end));
    // The replay in frames of up to OUTPUT_BATCH_BYTES (a flood leaves ~1,000 small chunks).
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
    if (this.exited) {
      sink.sendControl({ t: 'exit', ...this.exited });
      sink.close(CloseCode.shellExited, 'the shell has exited');
      this.sink = undefined;
    }
    return { seq: replay.seq, truncated: replay.truncated, resumed };
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
    this.pty.resize(size.cols, size.rows);
  }

  ack(seq: number): void {
    this.apply(this.flow.ackedUpTo(seq));
  }

  /** Ends the shell (reaping, shutdown). */
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
    const chunk = this.ring.append(bytes);
    if (!this.sink || chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.endOfTurn === undefined) {
      this.flush();
      this.endOfTurn = setImmediate(() => {
        this.endOfTurn = undefined;
        this.flush();
      });
    } else if (this.pendingBytes >= OUTPUT_BATCH_BYTES) {
      this.flush();
    }
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

  /** A browser left or a new one takes over from the ring: unsent output is theirs to replay. */
  private dropPending(): void {
    if (this.endOfTurn !== undefined) clearImmediate(this.endOfTurn);
    this.endOfTurn = undefined;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private onExit(code: number, signal?: number): void {
    if (this.exited) return;
    this.flush();
    this.exited = signal ? { code, signal } : { code };
    const sink = this.sink;
    this.sink = undefined;
    if (sink) {
      sink.sendControl({ t: 'exit', ...this.exited });
      sink.close(CloseCode.shellExited, 'the shell has exited');
    }
    this.disposables.dispose();
    for (const listener of [...this.exitListeners]) listener();
    this.exitListeners.clear();
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
