// The terminal WebSocket endpoint (/ws/terminal): checks Origin, then asks the server's
// authorizer who is calling (the server has checked Host for every upgrade): solo mode's page
// token, a classroom learner's shell, or an instructor's read-only view of a learner's terminal.
// It then binds the socket to a shell session (or, for a watcher, to its owner's) through the
// shared protocol. Anything malformed closes the socket with a reason; nothing a client sends can
// throw out of here.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { DisposableStore } from '../terminal/disposable.ts';
import {
  CloseCode,
  MAX_FRAME_BYTES,
  decodeClientControl,
  decodeInput,
  encodeControl,
  type ClientControl,
  type ServerControl,
} from '../terminal/protocol.ts';
import { TooManySessionsError, type SessionManager } from '../terminal/session-manager.ts';
import type { ShellCommand } from '../terminal/pty.ts';
import { SOLO_OWNER, type TerminalSession } from '../terminal/session.ts';
import type { TerminalSink } from '../terminal/sink.ts';
import type { PageTokens } from './page-token.ts';
import { binaryFrame } from './websocket-frame.ts';
import { refuseUpgrade, sameOrigin } from './request-guard.ts';

export const TERMINAL_PATH = '/ws/terminal';
const HELLO_TIMEOUT_MS = 10_000;
/** A `prepare` (a thaw takes about a second) that has not resolved by then counts as failed: the client retries. */
const PREPARE_TIMEOUT_MS = 30_000;
const PING_EVERY_MS = 20_000;
/** Messages kept while `prepare` runs; more closes the socket (each is at most the socket's maxPayload). */
const MAX_WAITING_MESSAGES = 512;

/**
 * Who is at the other end of a terminal socket, as the server decides it:
 * - `{ owner, shell? }`: a shell of their own. `shell()` is called only when a new shell must be
 *   started; undefined means "not ready yet" (the learner's sandbox is still being made): the
 *   client is told so and retries. Without `shell`, the session manager's default is used.
 * - `{ watch: owner }`: a read-only view of that owner's terminal (an instructor).
 * - `{ refuse, reason }`: answered with that HTTP status; `reason` starts with its phrase.
 * `prepare`, when given, runs once the hello arrives and before anything is opened (a shell
 * started or resumed, a view joined): a classroom learner's environment frozen for idleness is
 * thawed there. Until it resolves the socket's messages wait; if it rejects, the client is told
 * and closed with CloseCode.notReady (it retries).
 */
export type TerminalAdmission =
  | { owner: string; shell?: () => ShellCommand | undefined; prepare?: () => Promise<void> }
  | { watch: string; prepare?: () => Promise<void> }
  | { refuse: number; reason: string };

/** The server's decision for an upgrade request to TERMINAL_PATH (Origin already checked). Undefined refuses (401). */
export type TerminalAuthorizer = (req: IncomingMessage, url: URL) => TerminalAdmission | undefined | Promise<TerminalAdmission | undefined>;

export type TerminalSocketOptions = {
  sessions: SessionManager;
  /** Who may connect, as what. Default: soloAuthorizer(tokens). */
  authorize?: TerminalAuthorizer;
  /** Solo mode's page tokens (used when no `authorize` is given). */
  tokens?: PageTokens;
  /** An owner pressed Enter in their shell (typed or Run): what they ran may have changed their cluster. */
  onCommand?: (owner: string) => void;
  log?: (line: string) => void;
};

/** Owners are the server's names ('solo', 'learner:42'): short, printable, no spaces. */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
export const isOwner = (value: unknown): value is string => typeof value === 'string' && OWNER.test(value);

/** What a learner's page is told while their environment is being prepared (then it retries). */
export const NOT_READY_MESSAGE = 'your environment is not ready yet; the terminal connects as soon as it is';
/** What the page is told when its environment could not be made usable (a frozen one not thawed); it retries. */
export const prepareFailedMessage = (reason: string): string => `your environment could not be resumed (${reason}); the terminal tries again`;

/** Solo mode: our own page's token opens the machine user's shell. */
export function soloAuthorizer(tokens: PageTokens): TerminalAuthorizer {
  return (_req, url) =>
    tokens.verify(url.searchParams.get('token')) ? { owner: SOLO_OWNER } : { refuse: 401, reason: 'Unauthorized: missing or expired page token' };
}

/** WebSocket close reasons are limited to 123 bytes. */
const shortReason = (reason: string): string => (Buffer.byteLength(reason) <= 120 ? reason : `${reason.slice(0, 110)}…`);

export function createTerminalSockets(options: TerminalSocketOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const log = options.log ?? (() => {});
  const authorize =
    options.authorize ??
    (options.tokens ? soloAuthorizer(options.tokens) : () => ({ refuse: 401, reason: 'Unauthorized: no authorizer configured' }));

  /** Returns true when the request was for the terminal (handled or refused). */
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return false;
    }
    if (url.pathname !== TERMINAL_PATH) return false;
    if (!sameOrigin(req)) {
      refuseUpgrade(socket, 403, 'Forbidden: cross-origin WebSocket');
      log(`terminal: refused cross-origin upgrade from ${JSON.stringify(req.headers.origin ?? null)}`);
      return true;
    }
    const admit = (admission: TerminalAdmission | undefined) => {
      if (socket.destroyed) return;
      const verdict = checkAdmission(admission);
      if ('refuse' in verdict) {
        refuseUpgrade(socket, verdict.refuse, verdict.reason);
        log(`terminal: refused upgrade: ${verdict.refuse} ${verdict.reason}`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws, socket, verdict));
    };
    const failed = (error: unknown) => {
      log(`terminal: authorizer failed: ${(error as Error)?.stack ?? error}`);
      if (!socket.destroyed) refuseUpgrade(socket, 500, 'Internal Server Error: could not authorize');
    };
    try {
      const admission = authorize(req, url);
      if (admission instanceof Promise) admission.then(admit).catch(failed);
      else admit(admission);
    } catch (error) {
      failed(error);
    }
    return true;
  }

  /** What the authorizer said, checked: a malformed answer refuses rather than opens anything. */
  function checkAdmission(admission: TerminalAdmission | undefined): Exclude<TerminalAdmission, { refuse: number }> | { refuse: number; reason: string } {
    if (typeof admission !== 'object' || admission === null) return { refuse: 401, reason: 'Unauthorized' };
    if ('refuse' in admission) {
      const status = Number.isInteger(admission.refuse) && admission.refuse >= 400 && admission.refuse <= 599 ? admission.refuse : 403;
      return { refuse: status, reason: String(admission.reason ?? 'Forbidden').replace(/[\r\n]/g, ' ').slice(0, 200) };
    }
    if ('watch' in admission) return isOwner(admission.watch) ? admission : { refuse: 400, reason: 'Bad Request: not a terminal owner to watch' };
    if ('owner' in admission && isOwner(admission.owner)) return admission;
    return { refuse: 403, reason: 'Forbidden: no terminal owner' };
  }

  /** `socket` is the upgraded connection under `ws`: output frames are written to it whole. */
  function serve(ws: WebSocket, socket: Duplex, admission: Exclude<TerminalAdmission, { refuse: number }>): void {
    const disposables = new DisposableStore();
    let session: TerminalSession | undefined;
    /** Set for a read-only watcher once its hello arrived. */
    let watching = false;
    let toldReadOnly = false;
    /** The hello arrived (its shell or view may still be on its way: `prepare` runs first). */
    let helloSeen = false;
    let alive = true;
    const watchOwner = 'watch' in admission ? admission.watch : undefined;

    const close = (code: number, reason: string) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, shortReason(reason));
    };
    const sink: TerminalSink = {
      sendOutput(frame) {
        if (ws.readyState === ws.OPEN) socket.write(binaryFrame(frame));
      },
      sendControl(message: ServerControl) {
        if (ws.readyState === ws.OPEN) ws.send(encodeControl(message));
      },
      close,
      backlog: () => socket.writableLength,
    };
    /** A watcher's input, resize and run are dropped; the first one is logged. */
    const ignoreFromWatcher = (what: string) => {
      if (toldReadOnly) return;
      toldReadOnly = true;
      log(`terminal: ignoring ${what} from a read-only watcher of ${watchOwner} (and any more from it)`);
    };

    const helloTimer = setTimeout(() => close(CloseCode.protocolError, 'no hello within 10 s'), HELLO_TIMEOUT_MS);
    disposables.timer(helloTimer);
    const ping = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, PING_EVERY_MS);
    disposables.add({ dispose: () => clearInterval(ping) });
    disposables.on(ws, 'pong', () => {
      alive = true;
    });
    disposables.on(ws, 'error', (error: Error) => {
      // ws reports bad frames (invalid opcode, bad UTF-8, oversized) here, then closes.
      log(`terminal: socket error: ${error.message}`);
    });

    /** A bug here must cost one socket, never the server. */
    const internalError = (error: unknown) => {
      log(`terminal: closing socket after internal error: ${(error as Error).stack ?? error}`);
      close(CloseCode.protocolError, 'internal error');
    };

    /** Messages that came while `prepare` ran, handled in order once it is done. */
    let waiting: Array<[RawData, boolean]> | undefined;
    /** The hello, once `prepare` resolved (or at once without one). */
    const afterPrepare = (hello: () => void) => {
      const prepare = admission.prepare;
      if (!prepare) return hello();
      waiting = [];
      const ready = (ok: boolean) => {
        const queued = waiting ?? [];
        waiting = undefined;
        if (!ok || ws.readyState !== ws.OPEN) return;
        try {
          hello();
        } catch (error) {
          return internalError(error);
        }
        for (const [data, isBinary] of queued) onMessage(data, isBinary);
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready within ${PREPARE_TIMEOUT_MS / 1000} s`)), PREPARE_TIMEOUT_MS);
      });
      disposables.timer(timer!);
      void Promise.race([prepare(), timeout]).finally(() => clearTimeout(timer)).then(() => ready(true), (error: unknown) => {
        const who = watchOwner ?? ('owner' in admission ? admission.owner : SOLO_OWNER);
        log(`terminal: could not prepare the environment of ${who}: ${(error as Error)?.message ?? error}`);
        sink.sendControl({ t: 'error', message: prepareFailedMessage(String((error as Error)?.message ?? error).split('\n')[0]!) });
        close(CloseCode.notReady, 'environment not ready');
        ready(false);
      });
    };

    const onMessage = (data: RawData, isBinary: boolean): void => {
      if (waiting) {
        // A thaw takes about a second: a page types a few keys meanwhile, not thousands of frames.
        if (waiting.length >= MAX_WAITING_MESSAGES) return close(CloseCode.protocolError, 'too many messages before the terminal was ready');
        return void waiting.push([data, isBinary]);
      }
      try {
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        if (isBinary) {
          if (!session && !watching) return close(CloseCode.protocolError, 'input before hello');
          const input = decodeInput(bytes);
          if (!input.ok) return close(CloseCode.protocolError, input.reason);
          if (watching) return ignoreFromWatcher('input');
          session?.input(input.value);
          if (session && options.onCommand && input.value.includes(13)) options.onCommand(session.owner);
          return;
        }
        const control = decodeClientControl(bytes.toString('utf8'));
        if (!control.ok) return close(CloseCode.protocolError, control.reason);
        const message = control.value;
        if (message.t === 'hello') {
          if (session || watching || helloSeen) return close(CloseCode.protocolError, 'hello sent twice');
          clearTimeout(helloTimer);
          helloSeen = true;
          return afterPrepare(() => hello(message));
        }
        if (watching) {
          if (message.t !== 'ack') ignoreFromWatcher(message.t);
          return;
        }
        if (!session) return close(CloseCode.protocolError, `${message.t} before hello`);
        if (message.t === 'resize') session.resize(message);
        else if (message.t === 'ack') session.ack(message.seq);
        else if (message.t === 'run') {
          const program = session.prepareRun();
          sink.sendControl(program === undefined ? { t: 'run', id: message.id, ok: true } : { t: 'run', id: message.id, ok: false, program });
        }
      } catch (error) {
        internalError(error);
      }
    };

    /** Joins the watched owner's view, or resumes or starts the owner's shell, and attaches. */
    const hello = (message: Extract<ClientControl, { t: 'hello' }>): void => {
      if (watchOwner !== undefined) {
        try {
          disposables.add(options.sessions.watch(watchOwner, sink, { session: message.session, seq: message.seq }));
        } catch (error) {
          if (error instanceof TooManySessionsError) return close(CloseCode.tooManySessions, error.message);
          throw error;
        }
        watching = true;
        log(`terminal: read-only watcher of ${watchOwner} joined`);
        disposables.add({ dispose: () => log(`terminal: read-only watcher of ${watchOwner} left`) });
        return;
      }
      const owner = 'owner' in admission ? admission.owner : SOLO_OWNER;
      const existing = message.session ? options.sessions.find(message.session, owner) : undefined;
      if (message.session && !existing && options.sessions.get(message.session)) {
        // Someone else's shell id: treated as unknown (a new shell for this caller), and noted.
        log(`terminal: ${owner} asked to resume a session it does not own; starting a new shell`);
      }
      try {
        if (existing) session = existing;
        else {
          const shell = 'shell' in admission && admission.shell ? admission.shell() : undefined;
          if ('shell' in admission && admission.shell && !shell) {
            sink.sendControl({ t: 'error', message: NOT_READY_MESSAGE });
            return close(CloseCode.notReady, 'environment not ready');
          }
          session = options.sessions.create({ cols: message.cols, rows: message.rows }, { owner, shell });
        }
      } catch (error) {
        if (error instanceof TooManySessionsError) return close(CloseCode.tooManySessions, error.message);
        log(`terminal: could not start a shell: ${(error as Error).message}`);
        sink.sendControl({ t: 'error', message: `could not start a shell: ${(error as Error).message}` });
        return close(CloseCode.serverShutdown, 'could not start a shell');
      }
      if (existing) session.resize({ cols: message.cols, rows: message.rows });
      const attached = session;
      disposables.add({ dispose: () => attached.detach(sink) });
      attached.attach(sink, existing ? message.seq : undefined);
    };
    disposables.on(ws, 'message', onMessage);
    ws.once('close', () => disposables.dispose());
  }

  return {
    handleUpgrade,
    /** Closes every socket (sessions are ended separately by the manager). */
    close(): void {
      for (const client of wss.clients) client.close(CloseCode.serverShutdown, 'server shutting down');
      wss.close();
    },
  };
}
