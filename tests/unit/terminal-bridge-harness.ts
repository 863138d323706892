// An in-process terminal bridge for tests and benchmarks: a plain http server routing upgrades to
// createTerminalSockets with a classroom-like authorizer (?as=<owner> opens that owner's shell,
// ?watch=<owner> a read-only view), real bash shells in real ptys, and WebSocket clients that
// speak the protocol (acknowledging like a browser, or not at all).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createTerminalSockets, isOwner, type TerminalAuthorizer } from '../../src/server/terminal-socket.ts';
import {
  PROTOCOL_VERSION,
  decodeOutput,
  decodeServerControl,
  encodeControl,
  encodeInput,
  shouldAcknowledge,
  type ClientControl,
  type ServerControl,
} from '../../src/terminal/protocol.ts';
import { SessionManager, type SessionManagerOptions } from '../../src/terminal/session-manager.ts';
import type { ShellCommand } from '../../src/terminal/session.ts';

/** bash without rc files; OWNER_TAG tells whose shell answers. */
export const bashFor = (owner: string): ShellCommand => ({
  file: '/bin/bash',
  args: ['--norc', '--noprofile'],
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', PS1: '$ ', OWNER_TAG: owner },
  cwd: '/tmp',
});

/** ?as=<owner>: that owner's shell; ?watch=<owner>: a view of it, for owners in `watchable` (all if unset). */
export function classroomAuthorizer(options: { watchable?: Set<string>; notReady?: Set<string> } = {}): TerminalAuthorizer {
  return (_req: IncomingMessage, url: URL) => {
    const watch = url.searchParams.get('watch');
    if (watch !== null) {
      if (!isOwner(watch)) return { refuse: 400, reason: 'Bad Request: watch needs a learner' };
      if (options.watchable && !options.watchable.has(watch)) return { refuse: 404, reason: 'Not Found: no such learner' };
      return { watch };
    }
    const owner = url.searchParams.get('as');
    if (!isOwner(owner)) return { refuse: 401, reason: 'Unauthorized: who are you?' };
    return { owner, shell: () => (options.notReady?.has(owner) ? undefined : bashFor(owner)) };
  };
}

export type Bridge = {
  port: number;
  server: Server;
  sessions: SessionManager;
  logs: string[];
  url(query: string): string;
  close(): Promise<void>;
};

export async function startBridge(options: { authorize?: TerminalAuthorizer; manager?: Partial<SessionManagerOptions>; onCommand?: (owner: string) => void } = {}): Promise<Bridge> {
  const logs: string[] = [];
  const sessions = new SessionManager({ idleTimeoutMs: 60_000, shell: () => bashFor('default'), ...options.manager });
  const sockets = createTerminalSockets({ sessions, authorize: options.authorize ?? classroomAuthorizer(), onCommand: options.onCommand, log: (line) => logs.push(line) });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!sockets.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    sessions,
    logs,
    url: (query) => `ws://127.0.0.1:${port}/ws/terminal${query ? `?${query}` : ''}`,
    async close() {
      sockets.close();
      sessions.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Client = {
  ws: WebSocket;
  controls: ServerControl[];
  /** Output bytes received (total), and the offset just past the last one. */
  bytes: number;
  end: number;
  closed: Promise<{ code: number; reason: string }>;
  closedWith: { code: number; reason: string } | undefined;
  text(): string;
  /** Resolves when `marker` has arrived (also across frame boundaries); cheap during floods. */
  waitFor(marker: string, timeoutMs?: number): Promise<void>;
  type(line: string): void;
  sendInput(text: string): void;
  sendControl(message: ClientControl | string): void;
  ready(): Promise<Extract<ServerControl, { t: 'ready' }>>;
  /** Called with every output chunk as it arrives (benchmarks time echoes with it). */
  onOutput: ((bytes: Buffer) => void) | undefined;
  /** Stop reading the socket (a stalled browser): the server's writes pile up. */
  stall(): void;
  unstall(): void;
  close(): void;
};

export type ClientOptions = {
  /** Acknowledge by the browser's rule (default true). */
  ack?: boolean;
  /** Send a hello at once (default true), with these extra fields. */
  hello?: boolean | Partial<Extract<ClientControl, { t: 'hello' }>>;
  /** Keep the whole text (default true; off for floods). */
  keepText?: boolean;
  /** More request headers (a classroom session's Cookie). */
  headers?: Record<string, string>;
};

export async function openClient(bridge: Pick<Bridge, 'port' | 'url'>, query: string, options: ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(bridge.url(query), { headers: { Origin: `http://127.0.0.1:${bridge.port}`, ...options.headers } });
  const chunks: Buffer[] = [];
  const keepText = options.keepText ?? true;
  let tail = '';
  const waiters = new Set<{ marker: string; resolve: () => void }>();
  let acked = 0;
  let turnEnd: NodeJS.Immediate | undefined;
  let resolveClosed: (value: { code: number; reason: string }) => void = () => {};
  const client: Client = {
    ws,
    controls: [],
    bytes: 0,
    end: 0,
    closed: new Promise((resolve) => (resolveClosed = resolve)),
    closedWith: undefined,
    text: () => Buffer.concat(chunks).toString('utf8'),
    waitFor(marker, timeoutMs = 15_000) {
      if (tail.includes(marker) || (keepText && client.text().includes(marker))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = { marker, resolve: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`timed out waiting for ${JSON.stringify(marker)}; last output: ${JSON.stringify(tail.slice(-200))}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    type: (line) => ws.send(encodeInput(Buffer.from(`${line}\r`))),
    sendInput: (text) => ws.send(encodeInput(Buffer.from(text))),
    sendControl: (message) => ws.send(typeof message === 'string' ? message : encodeControl(message)),
    ready: async () => {
      while (true) {
        const ready = client.controls.find((c) => c.t === 'ready');
        if (ready) return ready as Extract<ServerControl, { t: 'ready' }>;
        if (client.closedWith) throw new Error(`closed before ready: ${client.closedWith.code} ${client.closedWith.reason}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stall: () => (ws as unknown as { _socket: { pause(): void } })._socket.pause(),
    unstall: () => (ws as unknown as { _socket: { resume(): void } })._socket.resume(),
    onOutput: undefined,
    close: () => ws.close(),
  };
  const ackIf = (stillRendering: boolean) => {
    if (options.ack === false || ws.readyState !== WebSocket.OPEN) return;
    if (shouldAcknowledge(client.end - acked, stillRendering)) {
      acked = client.end;
      ws.send(encodeControl({ t: 'ack', seq: acked }));
    }
  };
  ws.on('message', (data, isBinary) => {
    const buffer = data as Buffer;
    if (!isBinary) {
      const decoded = decodeServerControl(buffer.toString('utf8'));
      if (!decoded.ok) throw new Error(`server sent a bad control: ${decoded.reason}`);
      client.controls.push(decoded.value);
      if (decoded.value.t === 'ready') acked = decoded.value.seq;
      return;
    }
    const decoded = decodeOutput(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    if (!decoded.ok) throw new Error(`server sent a bad frame: ${decoded.reason}`);
    const bytes = Buffer.from(decoded.value.bytes);
    client.bytes += bytes.length;
    client.end = decoded.value.seq + bytes.length;
    if (keepText) chunks.push(bytes);
    tail = (tail + bytes.toString('latin1')).slice(-4096);
    client.onOutput?.(bytes);
    for (const waiter of [...waiters]) {
      if (tail.includes(waiter.marker)) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
    ackIf(true);
    turnEnd ??= setImmediate(() => {
      turnEnd = undefined;
      ackIf(false);
    });
  });
  ws.on('close', (code, reason) => {
    client.closedWith = { code, reason: reason.toString() };
    resolveClosed(client.closedWith);
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  if (options.hello !== false) {
    const extra = typeof options.hello === 'object' ? options.hello : {};
    ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, cols: 80, rows: 24, ...extra }));
  }
  return client;
}

/** Opens a socket and reports the HTTP status it was refused with (or that it opened). */
export function upgradeStatus(bridge: Pick<Bridge, 'port' | 'url'>, query: string, headers: Record<string, string> = { Origin: `http://127.0.0.1:${bridge.port}` }): Promise<{ opened: boolean; status?: number; body?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(bridge.url(query), { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ opened: false, status: res.statusCode, body }));
    });
    ws.on('error', () => resolve({ opened: false }));
  });
}

/** Bridges and clients a spec opens, all closed by `closeAll` (the spec's afterEach). */
export function openedInTest() {
  const bridges: Bridge[] = [];
  const clients: Client[] = [];
  return {
    async bridge(options: Parameters<typeof startBridge>[0] = {}): Promise<Bridge> {
      const started = await startBridge(options);
      bridges.push(started);
      return started;
    },
    async client(b: Pick<Bridge, 'port' | 'url'>, query: string, options: ClientOptions = {}): Promise<Client> {
      const opened = await openClient(b, query, options);
      clients.push(opened);
      return opened;
    },
    async closeAll(): Promise<void> {
      for (const client of clients.splice(0)) client.ws.terminate();
      for (const bridge of bridges.splice(0)) await bridge.close();
    },
  };
}

export async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
