// The terminal wire protocol, imported by both the browser (xterm) and the server (pty).
//
// Terminal bytes travel as binary frames: a one-byte tag, then for output an 8-byte stream
// offset (the sequence number: how many output bytes the shell produced before this chunk),
// then the bytes. Control messages are small JSON text frames with a `t` field. Everything that
// arrives from the other side goes through a decoder that rejects what it does not understand,
// so a bad frame becomes a close reason, never an exception.

export const PROTOCOL_VERSION = 1;

/** Pause the pty when the browser has not acknowledged this many output bytes (VS Code's figure). */
export const HIGH_WATERMARK_BYTES = 100_000;
/** Resume the pty once unacknowledged output drops below this. */
export const LOW_WATERMARK_BYTES = 5_000;
/** The browser acknowledges at least this often (bytes rendered since its last ack). */
export const ACK_EVERY_BYTES = 16_384;
/**
 * Once it has rendered everything it received, the browser acknowledges only if it holds at
 * least this much unacknowledged: a paused server may be waiting for it. Smaller amounts (a
 * keystroke's echo) need no ack, so typing costs the server no extra wake-up per key. A server
 * must therefore resume at or above this (OutputFlow enforces it).
 */
export const ACK_WHEN_IDLE_BYTES = 2_000;

/** The browser's acknowledgement rule, shared by every client. */
export const shouldAcknowledge = (unacknowledged: number, stillRendering: boolean): boolean =>
  unacknowledged >= ACK_EVERY_BYTES || (!stillRendering && unacknowledged >= ACK_WHEN_IDLE_BYTES);

/** Output read in one event-loop turn goes out as one frame; a frame is cut at this size. */
export const OUTPUT_BATCH_BYTES = 64 * 1024;

/** Largest frame either side accepts; bigger frames close the socket (ws enforces it as 1009). */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Largest control (text) message: they are all tiny. */
export const MAX_CONTROL_CHARS = 1024;
/** Terminal sizes outside these bounds are absurd and close the socket. */
export const MAX_COLS = 1000;
export const MAX_ROWS = 500;

/** WebSocket close codes (4000–4999 are for applications). */
export const CloseCode = {
  normal: 1000,
  protocolError: 4400,
  unauthorized: 4401,
  sessionTakenOver: 4409,
  shellExited: 4410,
  /** The platform ended the shell for a reason of its own (the class ended): not an exit code to show. */
  shellEnded: 4411,
  /** The caller's environment is still being prepared: retry. */
  notReady: 4425,
  tooManySessions: 4429,
  serverShutdown: 4503,
} as const;

/** Close reasons a client should not retry automatically. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.unauthorized,
  CloseCode.sessionTakenOver,
  CloseCode.shellExited,
  CloseCode.shellEnded,
  CloseCode.protocolError,
]);

/**
 * Why the platform ended a shell itself, rather than the shell exiting: the browser says this in
 * its own words instead of the exit code the shell's end leaves (a killed sandbox: 137).
 */
export const END_REASONS = ['class-ended'] as const;
export type EndReason = (typeof END_REASONS)[number];
/** The close reason sent with CloseCode.shellEnded (the browser shows its own words, not this). */
export const END_CLOSE_REASONS: Record<EndReason, string> = { 'class-ended': 'the class has ended' };
const isEndReason = (value: unknown): value is EndReason => (END_REASONS as readonly unknown[]).includes(value);

export const FrameTag = { input: 0x00, output: 0x01 } as const;
const OUTPUT_HEADER_BYTES = 9;

export type TerminalSize = { cols: number; rows: number };

/** Browser → server control messages. */
export type ClientControl =
  | { t: 'hello'; v: number; cols: number; rows: number; session?: string; seq?: number }
  | { t: 'resize'; cols: number; rows: number }
  | { t: 'ack'; seq: number }
  /** A Run button wants to type a command: the server clears the prompt's line or says what runs. */
  | { t: 'run'; id: number };

/** Server → browser control messages. */
export type ServerControl =
  | {
      t: 'ready';
      session: string;
      /** Offset of the first byte the server is about to replay. */
      seq: number;
      /** Offset where the replay ends and live output begins (older servers: `seq`, no replay known). */
      live: number;
      resumed: boolean;
      /** True when the requested offset was older than the buffer: some output is gone. */
      truncated: boolean;
      shell: string;
    }
  | { t: 'exit'; code: number; signal?: number }
  /** The platform ended the shell (instead of `exit`): the socket then closes with CloseCode.shellEnded. */
  | { t: 'ended'; reason: EndReason }
  | { t: 'error'; message: string }
  /** Answer to `run`: ok (the line was cleared; type now), or the foreground program that would get the keys. */
  | { t: 'run'; id: number; ok: boolean; program?: string }
  /** The shell's terminal size (to read-only watchers: draw at this size, it is the learner's screen). */
  | { t: 'size'; cols: number; rows: number }
  /** The shell is tmux with history keys (tmux-scrollback.ts): the wheel should send those. */
  | { t: 'scrollback'; via: 'tmux' };

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

export function encodeInput(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(bytes.length + 1);
  frame[0] = FrameTag.input;
  frame.set(bytes, 1);
  return frame;
}

export function encodeOutput(seq: number, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(bytes.length + OUTPUT_HEADER_BYTES);
  const view = new DataView(frame.buffer);
  frame[0] = FrameTag.output;
  view.setFloat64(1, seq);
  frame.set(bytes, OUTPUT_HEADER_BYTES);
  return frame;
}

/** One output frame from several consecutive chunks (one allocation, no intermediate copy). */
export function encodeOutputChunks(seq: number, chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const frame = new Uint8Array(length + OUTPUT_HEADER_BYTES);
  frame[0] = FrameTag.output;
  new DataView(frame.buffer).setFloat64(1, seq);
  let at = OUTPUT_HEADER_BYTES;
  for (const chunk of chunks) {
    frame.set(chunk, at);
    at += chunk.length;
  }
  return frame;
}

export function decodeInput(frame: Uint8Array): Decoded<Uint8Array> {
  if (frame.length < 1) return fail('empty binary frame');
  if (frame[0] !== FrameTag.input) return fail(`unknown binary frame tag ${frame[0]}`);
  return { ok: true, value: frame.subarray(1) };
}

export function decodeOutput(frame: Uint8Array): Decoded<{ seq: number; bytes: Uint8Array }> {
  if (frame.length < OUTPUT_HEADER_BYTES) return fail('output frame shorter than its header');
  if (frame[0] !== FrameTag.output) return fail(`unknown binary frame tag ${frame[0]}`);
  const seq = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getFloat64(1);
  if (!isOffset(seq)) return fail('output frame has an invalid sequence number');
  return { ok: true, value: { seq, bytes: frame.subarray(OUTPUT_HEADER_BYTES) } };
}

export const encodeControl = (message: ClientControl | ServerControl): string => JSON.stringify(message);

function isOffset(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function checkSize(cols: unknown, rows: unknown): string | undefined {
  if (typeof cols !== 'number' || !Number.isInteger(cols) || cols < 1 || cols > MAX_COLS)
    return `cols must be an integer 1..${MAX_COLS}`;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 1 || rows > MAX_ROWS)
    return `rows must be an integer 1..${MAX_ROWS}`;
  return undefined;
}

function parseObject(text: string): Decoded<Record<string, unknown>> {
  if (text.length > MAX_CONTROL_CHARS) return fail(`control message longer than ${MAX_CONTROL_CHARS} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('control message is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('control message is not an object');
  return { ok: true, value: parsed as Record<string, unknown> };
}

const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function decodeClientControl(text: string): Decoded<ClientControl> {
  const object = parseObject(text);
  if (!object.ok) return object;
  const m = object.value;
  switch (m.t) {
    case 'hello': {
      if (m.v !== PROTOCOL_VERSION) return fail(`unsupported protocol version ${String(m.v)}`);
      const sizeError = checkSize(m.cols, m.rows);
      if (sizeError) return fail(`hello: ${sizeError}`);
      if (m.session !== undefined && (typeof m.session !== 'string' || !SESSION_ID.test(m.session)))
        return fail('hello: session must be an id of 8-64 letters, digits, _ or -');
      if (m.seq !== undefined && !isOffset(m.seq)) return fail('hello: seq must be a non-negative integer');
      const hello: ClientControl = { t: 'hello', v: PROTOCOL_VERSION, cols: m.cols as number, rows: m.rows as number };
      if (m.session !== undefined) hello.session = m.session as string;
      if (m.seq !== undefined) hello.seq = m.seq as number;
      return { ok: true, value: hello };
    }
    case 'resize': {
      const sizeError = checkSize(m.cols, m.rows);
      if (sizeError) return fail(`resize: ${sizeError}`);
      return { ok: true, value: { t: 'resize', cols: m.cols as number, rows: m.rows as number } };
    }
    case 'ack':
      if (!isOffset(m.seq)) return fail('ack: seq must be a non-negative integer');
      return { ok: true, value: { t: 'ack', seq: m.seq } };
    case 'run':
      if (!isOffset(m.id)) return fail('run: id must be a non-negative integer');
      return { ok: true, value: { t: 'run', id: m.id } };
    default:
      return fail(`unknown control message type ${JSON.stringify(m.t)?.slice(0, 40)}`);
  }
}

export function decodeServerControl(text: string): Decoded<ServerControl> {
  const object = parseObject(text);
  if (!object.ok) return object;
  const m = object.value;
  switch (m.t) {
    case 'ready':
      if (typeof m.session !== 'string' || !SESSION_ID.test(m.session)) return fail('ready: bad session id');
      if (!isOffset(m.seq)) return fail('ready: bad seq');
      return {
        ok: true,
        value: {
          t: 'ready',
          session: m.session,
          seq: m.seq,
          live: typeof m.live === 'number' && Number.isSafeInteger(m.live) && m.live >= m.seq ? m.live : m.seq,
          resumed: m.resumed === true,
          truncated: m.truncated === true,
          shell: typeof m.shell === 'string' ? m.shell : '',
        },
      };
    case 'exit': {
      if (typeof m.code !== 'number') return fail('exit: bad code');
      const exit: ServerControl = { t: 'exit', code: m.code };
      if (typeof m.signal === 'number') exit.signal = m.signal;
      return { ok: true, value: exit };
    }
    case 'ended':
      if (!isEndReason(m.reason)) return fail('ended: unknown reason');
      return { ok: true, value: { t: 'ended', reason: m.reason } };
    case 'error':
      return { ok: true, value: { t: 'error', message: String(m.message ?? '') } };
    case 'size': {
      const sizeError = checkSize(m.cols, m.rows);
      if (sizeError) return fail(`size: ${sizeError}`);
      return { ok: true, value: { t: 'size', cols: m.cols as number, rows: m.rows as number } };
    }
    case 'scrollback':
      if (m.via !== 'tmux') return fail('scrollback: unknown way');
      return { ok: true, value: { t: 'scrollback', via: 'tmux' } };
    case 'run': {
      if (!isOffset(m.id) || typeof m.ok !== 'boolean') return fail('run: bad id or ok');
      const run: ServerControl = { t: 'run', id: m.id, ok: m.ok };
      if (typeof m.program === 'string') run.program = m.program.slice(0, 200);
      return { ok: true, value: run };
    }
    default:
      return fail(`unknown control message type ${JSON.stringify(m.t)?.slice(0, 40)}`);
  }
}
