// The terminal WebSocket endpoint (/ws/terminal): checks Origin and the page token (the server
// has checked Host for every upgrade) before
// upgrading, then binds the socket to a shell session through the shared protocol. Anything
// malformed closes the socket with a reason; nothing a client sends can throw out of here.
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
  type ServerControl,
} from '../terminal/protocol.ts';
import { TooManySessionsError, type SessionManager } from '../terminal/session-manager.ts';
import type { TerminalSession, TerminalSink } from '../terminal/session.ts';
import type { PageTokens } from './page-token.ts';
import { binaryFrame } from './websocket-frame.ts';
import { refuseUpgrade, sameOrigin } from './request-guard.ts';

export const TERMINAL_PATH = '/ws/terminal';
const HELLO_TIMEOUT_MS = 10_000;
const PING_EVERY_MS = 20_000;

export type TerminalSocketOptions = {
  sessions: SessionManager;
  tokens: PageTokens;
  log?: (line: string) => void;
};

/** WebSocket close reasons are limited to 123 bytes. */
const shortReason = (reason: string): string => (Buffer.byteLength(reason) <= 120 ? reason : `${reason.slice(0, 110)}…`);

export function createTerminalSockets(options: TerminalSocketOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const log = options.log ?? (() => {});

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
    if (!options.tokens.verify(url.searchParams.get('token'))) {
      refuseUpgrade(socket, 401, 'Unauthorized: missing or expired page token');
      log('terminal: refused upgrade without a valid page token');
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, socket));
    return true;
  }

  /** `socket` is the upgraded connection under `ws`: output frames are written to it whole. */
  function serve(ws: WebSocket, socket: Duplex): void {
    const disposables = new DisposableStore();
    let session: TerminalSession | undefined;
    let alive = true;

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

    const onMessage = (data: RawData, isBinary: boolean) => {
      try {
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        if (isBinary) {
          if (!session) return close(CloseCode.protocolError, 'input before hello');
          const input = decodeInput(bytes);
          if (!input.ok) return close(CloseCode.protocolError, input.reason);
          session.input(input.value);
          return;
        }
        const control = decodeClientControl(bytes.toString('utf8'));
        if (!control.ok) return close(CloseCode.protocolError, control.reason);
        const message = control.value;
        if (message.t === 'hello') {
          if (session) return close(CloseCode.protocolError, 'hello sent twice');
          clearTimeout(helloTimer);
          const existing = message.session ? options.sessions.get(message.session) : undefined;
          try {
            session = existing ?? options.sessions.create({ cols: message.cols, rows: message.rows });
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
        // A bug here must cost one socket, never the server.
        log(`terminal: closing socket after internal error: ${(error as Error).stack ?? error}`);
        close(CloseCode.protocolError, 'internal error');
      }
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
