// The browser side of the terminal bridge, independent of xterm: connects, says hello (with the
// session and offset to resume from), writes output to a screen, acknowledges what the screen
// rendered, and reconnects after a dropped socket without losing or repeating bytes. Read-only
// (an instructor watching a learner's terminal): sends nothing but its hello, shows what comes.
import {
  CloseCode,
  FINAL_CLOSE_CODES,
  PROTOCOL_VERSION,
  decodeOutput,
  decodeServerControl,
  encodeControl,
  encodeInput,
  shouldAcknowledge,
  type ClientControl,
  type EndReason,
  type TerminalSize,
} from './protocol.ts';

export interface TerminalScreen {
  /** Render bytes; call `rendered` once they are on screen (xterm's write callback). */
  write(bytes: Uint8Array, rendered: () => void): void;
  /** Forget everything on screen (a different shell is starting). */
  reset(): void;
  /** A line from the platform, not from the shell. */
  notice(text: string): void;
  size(): TerminalSize;
}

/** 'ended': the platform ended this terminal (the class ended): nothing to reconnect or restart. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'ended';

/** Lines the connection itself writes to the screen (the page passes its language's). */
export type ConnectionNotices = {
  shellReplaced: string;
  outputDropped: string;
  shellExited: (code: number) => string;
  /** Said instead of an exit code when the class ended (EndReason 'class-ended'). */
  classEnded: string;
  terminalError: (message: string) => string;
};

export const ENGLISH_NOTICES: ConnectionNotices = {
  shellReplaced: '[your previous shell has ended (the server restarted, or it sat idle too long); this is a new shell — files you saved are still there]',
  outputDropped: '[some output was dropped while disconnected]',
  shellExited: (code) => `[shell exited with code ${code}]`,
  classEnded: '[the class has ended: terminal closed]',
  terminalError: (message) => `[terminal error: ${message}]`,
};

export type ConnectionOptions = {
  /** The WebSocket URL, read at every connect (it carries the page token, which can be renewed). */
  url: string | (() => string);
  screen: TerminalScreen;
  /**
   * Renews the page token after a connection that never opened (the server refused it: the
   * token expired, or the server restarted with another key). Resolves when renewed or not.
   */
  renewToken?: () => Promise<unknown>;
  notices?: ConnectionNotices;
  /** Remembers the shell across reloads of this tab. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  onState?: (state: ConnectionState, detail?: string) => void;
  WebSocketImpl?: typeof WebSocket;
  /**
   * A read-only view (the server admitted it as a watcher): no input, resize, Run or acks are
   * sent (the server paces watchers by their socket, not by acks), and when the view moves to
   * another shell of the learner the screen starts over with that shell's scrollback.
   */
  readOnly?: boolean;
  /** The shell's terminal size, as the server says it (watchers: the learner's screen). */
  onSize?: (size: TerminalSize) => void;
  /** Whether the shell is tmux whose history the wheel reaches with its keys (tmux-scrollback.ts); false again at each new attach. */
  onScrollback?: (viaTmux: boolean) => void;
};

const SESSION_KEY = 'labs.terminal.session';
const WATCH_KEY = 'labs.terminal.watch';
const MAX_QUEUED_INPUT = 64 * 1024;

export class TerminalConnection {
  private readonly options: ConnectionOptions;
  private socket: WebSocket | undefined;
  private ready = false;
  private session: string | undefined;
  /** Offset of the next output byte we expect (everything before it reached the screen queue). */
  private expected: number | undefined;
  /** Offset up to which the screen has rendered. */
  private rendered = 0;
  /** Where the attach's replay ends: output before it is history, drawn again. */
  private replayEnd = 0;
  private lastAck = 0;
  private pendingWrites = 0;
  private queuedInput: Uint8Array[] = [];
  private queuedBytes = 0;
  private retry = 0;
  private opened = false;
  private runId = 0;
  private readonly runs = new Map<number, (answer: { ok: boolean; program?: string }) => void>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly encoder = new TextEncoder();
  /** The last error notice shown: a retrying connection says it once, not at every attempt. */
  private lastError: string | undefined;
  /** Why the platform ended this terminal, once it did (its line is on the screen then). */
  private endedFor: EndReason | undefined;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.session = options.storage?.getItem(this.storageKey) ?? undefined;
  }

  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  private get storageKey(): string {
    return this.readOnly ? WATCH_KEY : SESSION_KEY;
  }

  get sessionId(): string | undefined {
    return this.session;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /**
   * The screen is still drawing the attach's replay. What the terminal answers meanwhile (a
   * device-attributes or cursor report) answers a program that asked long ago (tmux, at its
   * attach): sent now, it would reach the shell as typed text.
   */
  get replaying(): boolean {
    return this.ready && this.rendered < this.replayEnd;
  }

  /** Failed attempts since the last successful connection. */
  get retries(): number {
    return this.retry;
  }

  private get notices(): ConnectionNotices {
    return this.options.notices ?? ENGLISH_NOTICES;
  }

  connect(): void {
    this.stopped = false;
    clearTimeout(this.retryTimer);
    this.setState(this.retry === 0 ? 'connecting' : 'reconnecting');
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const { url } = this.options;
    const socket = new Impl(typeof url === 'function' ? url() : url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.opened = false;
    socket.onopen = () => {
      this.opened = true;
      const size = this.options.screen.size();
      const hello: ClientControl = { t: 'hello', v: PROTOCOL_VERSION, cols: size.cols, rows: size.rows };
      if (this.session) hello.session = this.session;
      if (this.session && this.expected !== undefined) hello.seq = this.expected;
      socket.send(encodeControl(hello));
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      if (typeof event.data === 'string') this.onControl(event.data);
      else this.onOutput(new Uint8Array(event.data as ArrayBuffer));
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      this.ready = false;
      if (this.stopped) return;
      if (event.code === CloseCode.shellEnded) return this.end(this.endedFor ?? 'class-ended');
      if (FINAL_CLOSE_CODES.has(event.code)) {
        if (event.code === CloseCode.shellExited) this.forgetSession();
        this.setState('closed', event.reason || `closed (${event.code})`);
        return;
      }
      const delay = Math.min(5000, 250 * 2 ** this.retry++);
      this.setState('reconnecting', event.reason || undefined);
      const refused = !this.opened;
      this.retryTimer = setTimeout(() => {
        if (!refused || !this.options.renewToken) return this.connect();
        void this.options.renewToken().catch(() => undefined).then(() => {
          if (!this.stopped && !this.socket) this.connect();
        });
      }, delay);
    };
  }

  /** Type into the shell (keystrokes, pasted text, a Run button's command). */
  send(input: string | Uint8Array): void {
    if (this.readOnly) return;
    const bytes = typeof input === 'string' ? this.encoder.encode(input) : input;
    if (bytes.length === 0) return;
    if (this.ready && this.socket?.readyState === 1) {
      this.socket.send(encodeInput(bytes));
      return;
    }
    if (this.queuedBytes + bytes.length > MAX_QUEUED_INPUT) return;
    this.queuedInput.push(bytes);
    this.queuedBytes += bytes.length;
  }

  /**
   * Types a command for the learner on a clean command line: the server clears what is on the
   * prompt first, or answers with the foreground program (then nothing is typed and the caller
   * says so). Before the shell is connected the command waits in the input queue.
   */
  async run(command: string): Promise<{ ok: boolean; program?: string }> {
    if (this.readOnly) return { ok: false, program: 'nothing (this terminal is read-only)' };
    const socket = this.socket;
    if (!this.ready || socket?.readyState !== 1) {
      this.send(command);
      return { ok: true };
    }
    const id = ++this.runId;
    const answer = await new Promise<{ ok: boolean; program?: string }>((resolve) => {
      this.runs.set(id, resolve);
      socket.send(encodeControl({ t: 'run', id }));
      // A server that does not answer (socket dropped meanwhile) must not hold the button forever.
      setTimeout(() => this.runs.get(id)?.({ ok: false, program: undefined }), 3000);
    });
    this.runs.delete(id);
    if (answer.ok) this.send(command);
    return answer;
  }

  resize(size: TerminalSize): void {
    if (this.readOnly) return;
    if (this.ready && this.socket?.readyState === 1) this.socket.send(encodeControl({ t: 'resize', ...size }));
  }

  /** Try again now instead of waiting for the next retry (the Reconnect button while reconnecting). */
  retryNow(): void {
    if (this.socket) return;
    this.retry = 0;
    clearTimeout(this.retryTimer);
    void (this.options.renewToken?.() ?? Promise.resolve()).catch(() => undefined).then(() => {
      if (!this.socket) this.connect();
    });
  }

  /** Start over with a fresh shell (after it exited). */
  restart(): void {
    this.forgetSession();
    this.options.screen.reset();
    this.retry = 0;
    this.close();
    this.connect();
  }

  /**
   * The platform ended this terminal (the server said so, or the page learned the class ended
   * while no socket was open): one line says why, and it never connects again. Idempotent.
   */
  end(reason: EndReason): void {
    const first = this.endedFor === undefined;
    this.endedFor = reason;
    this.close();
    this.forgetSession();
    if (!first) return;
    this.options.screen.notice(this.notices.classEnded);
    this.setState('ended', this.notices.classEnded);
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'page closed');
    this.socket = undefined;
    this.ready = false;
  }

  private onControl(text: string): void {
    const decoded = decodeServerControl(text);
    if (!decoded.ok) return;
    const message = decoded.value;
    if (message.t === 'ready') {
      // We asked for our shell back, and got another: ours is gone (server restarted, or reaped).
      // Its lines stay on screen; the learner is told that what follows is a new shell. A
      // read-only view of another shell starts over: that shell's scrollback follows.
      if (this.session !== undefined && this.session !== message.session) {
        if (this.readOnly) this.options.screen.reset();
        else this.options.screen.notice(this.notices.shellReplaced);
      } else if (message.truncated && this.expected !== undefined) this.options.screen.notice(this.notices.outputDropped);
      this.session = message.session;
      this.lastError = undefined;
      this.options.storage?.setItem(this.storageKey, message.session);
      this.expected = message.seq;
      this.rendered = message.seq;
      this.replayEnd = message.live;
      this.lastAck = message.seq;
      this.ready = true;
      this.retry = 0;
      this.setState('connected', message.shell);
      const queued = this.queuedInput;
      this.queuedInput = [];
      this.queuedBytes = 0;
      for (const bytes of queued) this.send(bytes);
      this.resize(this.options.screen.size());
      this.options.onScrollback?.(false);
    } else if (message.t === 'ended') {
      // The server closes next (CloseCode.shellEnded); this side is done already.
      this.end(message.reason);
    } else if (message.t === 'exit') {
      this.options.screen.notice(this.notices.shellExited(message.code));
      this.forgetSession();
    } else if (message.t === 'error') {
      if (message.message !== this.lastError) this.options.screen.notice(this.notices.terminalError(message.message));
      this.lastError = message.message;
    } else if (message.t === 'run') {
      this.runs.get(message.id)?.({ ok: message.ok, program: message.program });
    } else if (message.t === 'size') {
      this.options.onSize?.({ cols: message.cols, rows: message.rows });
    } else if (message.t === 'scrollback') {
      this.options.onScrollback?.(true);
    }
  }

  private onOutput(frame: Uint8Array): void {
    const decoded = decodeOutput(frame);
    if (!decoded.ok || this.expected === undefined) return;
    let { seq, bytes } = decoded.value;
    if (seq + bytes.length <= this.expected) return; // already have it
    if (seq < this.expected) {
      bytes = bytes.subarray(this.expected - seq);
      seq = this.expected;
    }
    const end = seq + bytes.length;
    this.expected = end;
    this.pendingWrites++;
    this.options.screen.write(bytes, () => {
      this.pendingWrites = Math.max(0, this.pendingWrites - 1);
      if (end > this.rendered) this.rendered = end;
      this.maybeAck();
    });
  }

  private maybeAck(): void {
    if (this.readOnly) return;
    if (!shouldAcknowledge(this.rendered - this.lastAck, this.pendingWrites > 0)) return;
    if (this.socket?.readyState !== 1) return;
    this.lastAck = this.rendered;
    this.socket.send(encodeControl({ t: 'ack', seq: this.rendered }));
  }

  private forgetSession(): void {
    this.session = undefined;
    this.expected = undefined;
    this.options.storage?.removeItem(this.storageKey);
  }

  private setState(state: ConnectionState, detail?: string): void {
    this.options.onState?.(state, detail);
  }
}
