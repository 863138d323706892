// The end of a class in the terminal bridge (issue #23): when the instructor ends the class, the
// server ends each learner's shells itself, before their sandbox is killed, and says why. The
// learner's browser and any watcher get `ended` (class-ended) and a final close, never the exit
// code the killed sandbox would have left (137); the browser's connection prints one line in the
// page's words, stops for good (no reconnect) and reads "ended". Real bash in real ptys.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ENGLISH_NOTICES, TerminalConnection, type ConnectionState, type TerminalScreen } from '../../src/terminal/client-connection.ts';
import { CloseCode, decodeServerControl, encodeControl } from '../../src/terminal/protocol.ts';
import { classroomAuthorizer, openedInTest, sleep, until, type Bridge } from './terminal-bridge-harness.ts';

const { bridge, client, closeAll } = openedInTest();
afterEach(closeAll);

/** A browser-side connection to the bridge: what its screen was told, its states, how often it connected. */
function browserConnection(b: Bridge, query: string, notices: typeof ENGLISH_NOTICES = ENGLISH_NOTICES) {
  const seen = { screen: '', notices: [] as string[], states: [] as ConnectionState[], sockets: 0 };
  const origin = `http://127.0.0.1:${b.port}`;
  class OriginSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { Origin: origin } });
      seen.sockets++;
    }
  }
  const screen: TerminalScreen = {
    write: (bytes, rendered) => {
      seen.screen += Buffer.from(bytes).toString('utf8');
      rendered();
    },
    reset: () => (seen.screen = ''),
    notice: (text) => seen.notices.push(text),
    size: () => ({ cols: 100, rows: 30 }),
  };
  const connection = new TerminalConnection({
    url: b.url(query),
    screen,
    notices,
    onState: (state) => seen.states.push(state),
    WebSocketImpl: OriginSocket as unknown as typeof globalThis.WebSocket,
  });
  return { connection, seen };
}

describe('the class ends: the server ends the learner’s shells and says why', () => {
  it('the learner and a watcher get `ended` (class-ended) and a final close, not an exit code; another learner’s shell is untouched', async () => {
    const b = await bridge();
    const ana = await client(b, 'as=learner:ana');
    await ana.ready();
    ana.type('echo "ana-$((40+2))"');
    await ana.waitFor('ana-42');
    const watcher = await client(b, 'watch=learner:ana', { ack: false });
    await until(() => watcher.controls.some((c) => c.t === 'ready'), 'the watcher to see the shell');
    const ben = await client(b, 'as=learner:ben');
    await ben.ready();

    expect(b.sessions.endOwner('learner:ana', 'class-ended')).toBe(1);

    expect(await ana.closed).toEqual({ code: CloseCode.shellEnded, reason: 'the class has ended' });
    expect(ana.controls.filter((c) => c.t === 'ended' || c.t === 'exit')).toEqual([{ t: 'ended', reason: 'class-ended' }]);
    expect((await watcher.closed).code).toBe(CloseCode.shellEnded);
    expect(watcher.controls.filter((c) => c.t === 'ended' || c.t === 'exit')).toEqual([{ t: 'ended', reason: 'class-ended' }]);
    expect(b.sessions.sessionsOf('learner:ana')).toEqual([]);
    // What the killed sandbox would have said afterwards reaches nobody.
    await sleep(300);
    expect(ana.controls.some((c) => c.t === 'exit')).toBe(false);

    expect(ben.closedWith).toBeUndefined();
    ben.type('echo "ben-$((6*7))"');
    await ben.waitFor('ben-42');
  });

  it('a browser that resumes an ended shell hears the same, not an exit code', async () => {
    const b = await bridge();
    const ana = await client(b, 'as=learner:ana');
    const ready = await ana.ready();
    const session = b.sessions.get(ready.session)!;
    ana.close();
    await ana.closed;
    b.sessions.endOwner('learner:ana', 'class-ended');
    const sink = { controls: [] as unknown[], closed: [] as unknown[] };
    session.attach({ sendOutput: () => {}, sendControl: (m) => sink.controls.push(m), close: (code, reason) => sink.closed.push({ code, reason }) });
    expect(sink.controls.filter((m) => (m as { t: string }).t !== 'ready')).toEqual([{ t: 'ended', reason: 'class-ended' }]);
    expect(sink.closed).toEqual([{ code: CloseCode.shellEnded, reason: 'the class has ended' }]);
  });

  it('a shell that exits by itself still reports its exit code', async () => {
    const b = await bridge();
    const ana = await client(b, 'as=learner:ana');
    await ana.ready();
    ana.type('kill -9 $$');
    expect((await ana.closed).code).toBe(CloseCode.shellExited);
    expect(ana.controls.filter((c) => c.t === 'ended' || c.t === 'exit')).toEqual([expect.objectContaining({ t: 'exit' })]);
  });
});

describe('the learner’s browser when the class ends', () => {
  it('prints one line that the class ended (never "exited with code"), stops for good and reads "ended"', async () => {
    const b = await bridge();
    const { connection, seen } = browserConnection(b, 'as=learner:ana');
    try {
      connection.connect();
      await until(() => seen.states.includes('connected'), 'the browser to connect');
      connection.send('echo "typed-$((1+1))"\r');
      await until(() => seen.screen.includes('typed-2'), 'the shell to answer');

      b.sessions.endOwner('learner:ana', 'class-ended');
      await until(() => seen.states.at(-1) === 'ended', 'the connection to end');
      expect(seen.notices).toEqual([ENGLISH_NOTICES.classEnded]);
      expect(seen.notices.join('\n')).not.toMatch(/exited with code/);
      // No reconnect: the socket it had is the only one it ever opened.
      await sleep(1500);
      expect(seen.sockets).toBe(1);
      expect(seen.states.filter((s) => s === 'reconnecting')).toEqual([]);
      expect(connection.sessionId).toBeUndefined();
    } finally {
      connection.close();
    }
  });

  it('the page ends it when it learns of the end another way (no socket open then): one line, no more retries', async () => {
    // A learner whose environment is not ready: the terminal retries, as it does after a dropped network.
    const b = await bridge({ authorize: classroomAuthorizer({ notReady: new Set(['learner:waiting']) }) });
    const korean = '[수업이 종료되어 이 터미널은 닫혔습니다]';
    const { connection, seen } = browserConnection(b, 'as=learner:waiting', { ...ENGLISH_NOTICES, classEnded: korean });
    try {
      connection.connect();
      await until(() => seen.states.includes('reconnecting'), 'the connection to retry');
      connection.end('class-ended');
      expect(seen.states.at(-1)).toBe('ended');
      expect(seen.notices.at(-1)).toBe(korean);
      const sockets = seen.sockets;
      await sleep(1500);
      expect(seen.sockets).toBe(sockets);
      expect(seen.states.at(-1)).toBe('ended');
      // Told again (the page and the server both say it): still one line.
      connection.end('class-ended');
      expect(seen.notices.filter((n) => n === korean)).toHaveLength(1);
    } finally {
      connection.close();
    }
  });
});

describe('the protocol', () => {
  it('`ended` carries a known reason; anything else is refused', () => {
    expect(decodeServerControl(encodeControl({ t: 'ended', reason: 'class-ended' }))).toEqual({ ok: true, value: { t: 'ended', reason: 'class-ended' } });
    const unknown = decodeServerControl('{"t":"ended","reason":"rm -rf"}');
    expect(unknown.ok).toBe(false);
  });
});
