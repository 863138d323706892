// Classroom mode in the terminal bridge, with real bash shells in real ptys behind a real
// WebSocket server: every shell has an owner and only that owner can resume it; owners have a
// shell limit; an instructor's read-only view sees a learner's scrollback and live output, can
// never type into it, and can never slow it down, however stalled its socket.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TerminalConnection, type TerminalScreen } from '../../src/terminal/client-connection.ts';
import { CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION, encodeControl, encodeInput } from '../../src/terminal/protocol.ts';
import { SessionManager } from '../../src/terminal/session-manager.ts';
import type { TerminalSession } from '../../src/terminal/session.ts';
import { bashFor, classroomAuthorizer, openedInTest, sleep, until, upgradeStatus, type Bridge } from './terminal-bridge-harness.ts';

const { bridge, client, closeAll } = openedInTest();
const managers: SessionManager[] = [];
afterEach(async () => {
  await closeAll();
  for (const manager of managers.splice(0)) manager.dispose();
});
const sessionOf = (b: Bridge, id: string): TerminalSession => b.sessions.get(id)!;

describe('commands', () => {
  it("tells the server whose shell got an Enter (typed or Run), not a watcher's keys or a half-typed line", async () => {
    const commands: string[] = [];
    const b = await bridge({ onCommand: (owner) => commands.push(owner) });
    const learner = await client(b, 'as=learner:cmd', { hello: { cols: 80, rows: 24 } });
    const watcher = await client(b, 'watch=learner:cmd', { ack: false, hello: { cols: 80, rows: 24 } });
    learner.sendInput('echo half-typed');
    await sleep(300);
    expect(commands).toEqual([]);
    watcher.ws.send(encodeInput(new TextEncoder().encode('echo from-watcher\r')));
    await sleep(300);
    expect(commands).toEqual([]);
    learner.sendInput(' done\r');
    await until(() => commands.length === 1, 'the command to be reported');
    expect(commands).toEqual(['learner:cmd']);
  });
});

describe('owners', () => {
  it("owner A asking for owner B's session id gets a new shell of its own; B's shell is untouched", async () => {
    const b = await bridge();
    const learnerB = await client(b, 'as=learner:b');
    const readyB = await learnerB.ready();
    learnerB.type('SECRET=b-secret-$((40+2)); echo "I am $OWNER_TAG"');
    await learnerB.waitFor('I am learner:b');

    const learnerA = await client(b, 'as=learner:a', { hello: { session: readyB.session, seq: 0 } });
    const readyA = await learnerA.ready();
    expect(readyA.session).not.toBe(readyB.session);
    expect(readyA.resumed).toBe(false);
    learnerA.type('echo "I am $OWNER_TAG, secret=[$SECRET]"');
    await learnerA.waitFor('I am learner:a, secret=[]');
    // A never saw B's scrollback, and B's shell is A's in nothing.
    expect(learnerA.text()).not.toContain('b-secret');
    expect(sessionOf(b, readyA.session).owner).toBe('learner:a');
    expect(b.logs.join('\n')).toContain('learner:a asked to resume a session it does not own');

    // B was not taken over (no 4409), still has its shell and its variable, and never saw A's keys.
    expect(learnerB.closedWith).toBeUndefined();
    learnerB.type('echo "still $SECRET"');
    await learnerB.waitFor('still b-secret-42');
    expect(learnerB.text()).not.toContain('secret=[');
    expect(b.sessions.find(readyB.session, 'learner:a')).toBeUndefined();
    expect(b.sessions.find(readyB.session, 'learner:b')).toBeDefined();
  });

  it('the owner itself resumes its shell by id, with its scrollback', async () => {
    const b = await bridge();
    const first = await client(b, 'as=learner:c');
    const ready = await first.ready();
    first.type('echo "before-$((2+3))"');
    await first.waitFor('before-5');
    first.close();
    await first.closed;
    const again = await client(b, 'as=learner:c', { hello: { session: ready.session, seq: 0 } });
    expect((await again.ready()).session).toBe(ready.session);
    await again.waitFor('before-5');
  });

  it('limits shells per owner: the longest-idle detached one makes room, all in use refuses; other owners are not affected', () => {
    const sessions = new SessionManager({ idleTimeoutMs: 60_000, maxSessionsPerOwner: 2 });
    managers.push(sessions);
    const size = { cols: 80, rows: 24 };
    const sink = () => ({ sendOutput() {}, sendControl() {}, close() {} });
    const a1 = sessions.create(size, { owner: 'learner:a', shell: bashFor('learner:a') });
    const a1sink = sink();
    a1.attach(a1sink);
    a1.detach(a1sink);
    const a2 = sessions.create(size, { owner: 'learner:a', shell: bashFor('learner:a') });
    a2.attach(sink());
    // A third for A ends A's detached one.
    const a3 = sessions.create(size, { owner: 'learner:a', shell: bashFor('learner:a') });
    a3.attach(sink());
    expect(a1.hasExited).toBe(true);
    expect(sessions.sessionsOf('learner:a')).toHaveLength(2);
    // Both in use: refused.
    expect(() => sessions.create(size, { owner: 'learner:a', shell: bashFor('learner:a') })).toThrow(/too many terminal sessions for learner:a \(limit 2\)/);
    // Another owner still gets shells.
    const b1 = sessions.create(size, { owner: 'learner:b', shell: bashFor('learner:b') });
    expect(b1.owner).toBe('learner:b');
    expect(sessions.size).toBe(3);
  });

  it('over the socket, a learner over the limit is closed with 4429 (retryable); the solo owner has only the global limit', async () => {
    const b = await bridge({ manager: { maxSessionsPerOwner: 2 } });
    await (await client(b, 'as=learner:a')).ready();
    await (await client(b, 'as=learner:a')).ready();
    const third = await client(b, 'as=learner:a');
    expect((await third.closed).code).toBe(CloseCode.tooManySessions);
    // Solo mode's owner (one person, a tab per lesson) is not held to the per-owner limit.
    const solo = new SessionManager({ idleTimeoutMs: 60_000, maxSessionsPerOwner: 1, shell: () => bashFor('solo') });
    managers.push(solo);
    for (let i = 0; i < 3; i++) solo.create({ cols: 80, rows: 24 }).attach({ sendOutput() {}, sendControl() {}, close() {} });
    expect(solo.sessionsOf('solo')).toHaveLength(3);
  });

  it("a learner whose environment is not ready is told so and closed with a retryable code; once ready, the shell opens", async () => {
    const notReady = new Set(['learner:late']);
    const b = await bridge({ authorize: classroomAuthorizer({ notReady }) });
    const early = await client(b, 'as=learner:late');
    const closed = await early.closed;
    expect(closed.code).toBe(CloseCode.notReady);
    expect(early.controls).toEqual([{ t: 'error', message: expect.stringMatching(/not ready/) }]);
    expect(b.sessions.size).toBe(0);
    notReady.delete('learner:late');
    const later = await client(b, 'as=learner:late');
    later.type('echo "ready-$OWNER_TAG"');
    await later.waitFor('ready-learner:late');
  });
});

describe('read-only watchers', () => {
  it("see the owner's earlier output (the ring) and then its live output", async () => {
    const b = await bridge();
    const learner = await client(b, 'as=learner:w');
    const ready = await learner.ready();
    learner.type('echo "early-$((3*3))"');
    await learner.waitFor('early-9');

    const watcher = await client(b, 'watch=learner:w', { ack: false });
    const watching = await watcher.ready();
    // Watchers get an id of their own: the one that resumes the shell stays with its owner.
    expect(watching.session).not.toBe(ready.session);
    expect(watching.seq).toBe(0);
    await watcher.waitFor('early-9');
    learner.type('echo "late-$((4*4))"');
    await watcher.waitFor('late-16');
    await learner.waitFor('late-16');
    // The watcher holds the same stream, byte for byte.
    await until(() => watcher.end === learner.end, 'the watcher to catch up');
    expect(watcher.text()).toBe(learner.text());
  });

  it("never type into the shell: input, resize and run from a watcher are dropped (and logged once)", async () => {
    const b = await bridge();
    const learner = await client(b, 'as=learner:x', { hello: { cols: 91, rows: 27 } });
    await learner.ready();
    const watcher = await client(b, 'watch=learner:x', { ack: false });
    await watcher.ready();
    for (let i = 0; i < 5; i++) watcher.type('echo "WATCHER-MARK"; touch /tmp/watcher-was-here');
    watcher.sendControl({ t: 'resize', cols: 40, rows: 10 });
    watcher.sendControl({ t: 'run', id: 1 });
    watcher.sendControl({ t: 'ack', seq: 5 });
    await sleep(200);
    learner.type('echo "SIZE=$(stty size) learner-$((5+5))"');
    await learner.waitFor('learner-10');
    await watcher.waitFor('learner-10');
    expect(learner.text()).not.toContain('WATCHER-MARK');
    expect(learner.text()).toContain('SIZE=27 91');
    expect(watcher.text()).not.toContain('WATCHER-MARK');
    expect(watcher.controls.filter((c) => c.t === 'run')).toEqual([]);
    // The watcher stays connected; one log line says what was ignored.
    expect(watcher.closedWith).toBeUndefined();
    expect(b.logs.filter((line) => line.includes('read-only watcher of learner:x') && line.includes('ignoring'))).toHaveLength(1);
  });

  it("a stalled watcher (never reads its socket) does not slow the owner's 20 MB flood; it is resynced from the ring once it reads again", async () => {
    const b = await bridge();
    const flood = 'head -c 20000000 /dev/zero | tr "\\0" "\\130"; echo; echo "flood-$((1+1))-done"';

    // Baseline: the same flood with nobody watching.
    const alone = await client(b, 'as=learner:f0', { keepText: false });
    await alone.ready();
    let started = performance.now();
    alone.type(flood);
    await alone.waitFor('flood-2-done', 60_000);
    const aloneMs = performance.now() - started;

    const learner = await client(b, 'as=learner:f', { keepText: false });
    const ready = await learner.ready();
    const watcher = await client(b, 'watch=learner:f', { ack: false, keepText: false });
    await watcher.ready();
    watcher.stall();
    const session = sessionOf(b, ready.session);
    let longestPauseMs = 0;
    let pausedSince: number | undefined;
    const sampler = setInterval(() => {
      if (session.isPaused) {
        pausedSince ??= performance.now();
        longestPauseMs = Math.max(longestPauseMs, performance.now() - pausedSince);
      } else pausedSince = undefined;
    }, 5);
    started = performance.now();
    learner.type(flood);
    try {
      await learner.waitFor('flood-2-done', 60_000);
    } finally {
      clearInterval(sampler);
    }
    const watchedMs = performance.now() - started;
    console.log(`20 MB flood: ${aloneMs.toFixed(0)} ms alone, ${watchedMs.toFixed(0)} ms with a stalled watcher; longest pty pause ${longestPauseMs.toFixed(0)} ms`);
    expect(learner.bytes).toBeGreaterThan(20_000_000);
    // The watcher fell behind and was skipped rather than waited for.
    expect(session.laggingWatchers).toBe(1);
    expect(watchedMs).toBeLessThan(aloneMs * 3 + 3000);
    // Only the learner's own acknowledgements pace the pty: no long stall.
    expect(longestPauseMs).toBeLessThan(1000);

    // The watcher reads again: it is told output was dropped, and continues from the ring to the end.
    watcher.unstall();
    await watcher.waitFor('flood-2-done', 30_000);
    expect(watcher.controls.some((c) => c.t === 'ready' && c.truncated)).toBe(true);
    expect(watcher.bytes).toBeLessThan(learner.bytes);
    await until(() => session.laggingWatchers === 0, 'the watcher to be caught up');
    learner.type('echo "after-$((7*7))"');
    await watcher.waitFor('after-49');
  }, 120_000);

  it('count joins and leaves, and tell a callback', async () => {
    const b = await bridge();
    const changes: [string, number][] = [];
    b.sessions.onWatchersChange((owner, count) => changes.push([owner, count]));
    const learner = await client(b, 'as=learner:n');
    await learner.ready();
    const one = await client(b, 'watch=learner:n', { ack: false });
    await one.ready();
    const two = await client(b, 'watch=learner:n', { ack: false });
    await two.ready();
    expect(b.sessions.watchers('learner:n')).toBe(2);
    one.close();
    await until(() => b.sessions.watchers('learner:n') === 1, 'one watcher to leave');
    two.ws.terminate();
    await until(() => b.sessions.watchers('learner:n') === 0, 'the other watcher to drop');
    expect(changes).toEqual([
      ['learner:n', 1],
      ['learner:n', 2],
      ['learner:n', 1],
      ['learner:n', 0],
    ]);
  });

  it("make the owner's terminal in use, as a browser attached to one of their shells does; a detached shell does not (issue #24: who is here)", async () => {
    const b = await bridge();
    expect(b.sessions.inUse('learner:u')).toBe(false);
    const learner = await client(b, 'as=learner:u');
    await learner.ready();
    expect([b.sessions.inUse('learner:u'), b.sessions.inUse('learner:other')]).toEqual([true, false]);
    learner.close();
    await until(() => !b.sessions.inUse('learner:u'), 'the browser to detach');
    expect(b.sessions.sessionsOf('learner:u')).toHaveLength(1); // the shell lives on, unseen
    const watcher = await client(b, 'watch=learner:u', { ack: false });
    await watcher.ready();
    expect(b.sessions.inUse('learner:u')).toBe(true);
    watcher.ws.terminate();
    await until(() => !b.sessions.inUse('learner:u'), 'the watcher to drop');
  });

  it("wait for an owner with no terminal yet, follow the owner to a new shell, and stay through the shell's exit", async () => {
    const b = await bridge();
    const watcher = await client(b, 'watch=learner:later', { ack: false });
    await sleep(200);
    expect(watcher.controls).toEqual([]);
    expect(watcher.closedWith).toBeUndefined();
    expect(b.sessions.watchers('learner:later')).toBe(1);

    const learner = await client(b, 'as=learner:later');
    await learner.ready();
    learner.type('echo "first-$((1+2))"');
    await watcher.waitFor('first-3');
    learner.type('exit 7');
    await learner.closed;
    await until(() => watcher.controls.some((c) => c.t === 'exit'), 'the watcher to hear of the exit');
    expect(watcher.controls.find((c) => c.t === 'exit')).toEqual({ t: 'exit', code: 7 });
    expect(watcher.closedWith).toBeUndefined();

    // A new shell (a new tab): the watcher moves to it.
    const newTab = await client(b, 'as=learner:later');
    const second = await newTab.ready();
    newTab.type('echo "second-$((2+2))"');
    await watcher.waitFor('second-4');
    expect(watcher.controls.filter((c) => c.t === 'ready')).toHaveLength(2);
    expect(b.sessions.latest('learner:later')?.id).toBe(second.session);
  });

  it('a reconnecting watcher resumes from its offset without repeats', async () => {
    const b = await bridge();
    const learner = await client(b, 'as=learner:r');
    await learner.ready();
    learner.type('echo "one-$((0+1))"');
    await learner.waitFor('one-1');
    const watcher = await client(b, 'watch=learner:r', { ack: false });
    const first = await watcher.ready();
    await until(() => watcher.end === learner.end, 'the watcher to catch up');
    const seen = watcher.end;
    watcher.close();
    await watcher.closed;
    learner.type('echo "two-$((1+1))"');
    await learner.waitFor('two-2');
    const again = await client(b, 'watch=learner:r', { ack: false, hello: { session: first.session, seq: seen } });
    expect((await again.ready()).seq).toBe(seen);
    await again.waitFor('two-2');
    expect(again.text()).not.toContain('one-1');
  });

  it('the read-only client renders the learner\'s terminal and sends nothing but its hello', async () => {
    const b = await bridge();
    const learner = await client(b, 'as=learner:ro');
    await learner.ready();
    learner.type('echo "shown-$((6+6))"');
    await learner.waitFor('shown-12');

    const sent: unknown[] = [];
    const origin = `http://127.0.0.1:${b.port}`;
    class OriginSocket extends WebSocket {
      constructor(url: string) {
        super(url, { headers: { Origin: origin } });
      }
      override send(data: Parameters<WebSocket['send']>[0]): void {
        sent.push(typeof data === 'string' ? JSON.parse(data).t : 'binary');
        super.send(data);
      }
    }
    let screen = '';
    let notices: string[] = [];
    const view: TerminalScreen = {
      write: (bytes, rendered) => {
        screen += Buffer.from(bytes).toString('utf8');
        rendered();
      },
      reset: () => (screen = ''),
      notice: (text) => notices.push(text),
      size: () => ({ cols: 100, rows: 30 }),
    };
    const connection = new TerminalConnection({ url: b.url('watch=learner:ro'), screen: view, readOnly: true, WebSocketImpl: OriginSocket as unknown as typeof globalThis.WebSocket });
    try {
      connection.connect();
      await until(() => screen.includes('shown-12'), 'the scrollback on the read-only screen');
      connection.send('echo typed-by-watcher\r');
      connection.resize({ cols: 50, rows: 20 });
      expect(await connection.run('echo ran-by-watcher')).toMatchObject({ ok: false });
      // Enough output that a learner's client would acknowledge (ACK_EVERY_BYTES).
      learner.type('seq 1 6000; echo "more-$((7+7))"');
      await until(() => screen.includes('more-14'), 'live output on the read-only screen');
      expect(sent).toEqual(['hello']);
      expect(learner.text()).not.toContain('typed-by-watcher');
      expect(notices).toEqual([]);
    } finally {
      connection.close();
    }
  });
});

describe('hostile input', () => {
  it('refuses garbage watch targets, foreign origins and missing callers before upgrading', async () => {
    const b = await bridge({ authorize: classroomAuthorizer({ watchable: new Set(['learner:known']) }) });
    for (const garbage of ['', ' ', '../../etc/passwd', 'a b', '%00', 'x'.repeat(500), '{"t":"hello"}', 'learner:1\r\nX-Evil: 1']) {
      expect(await upgradeStatus(b, `watch=${encodeURIComponent(garbage)}`), garbage).toMatchObject({ opened: false, status: 400 });
    }
    expect(await upgradeStatus(b, 'watch=learner:unknown')).toMatchObject({ opened: false, status: 404 });
    expect(await upgradeStatus(b, 'watch=learner:known', { Origin: 'http://evil.example' })).toMatchObject({ opened: false, status: 403 });
    expect(await upgradeStatus(b, '')).toMatchObject({ opened: false, status: 401 });
    expect(await upgradeStatus(b, 'as=learner:ok')).toEqual({ opened: true });
  });

  it("checks the authorizer's answer too: a malformed owner, a throwing or rejecting authorizer, junk answers", async () => {
    let answer: () => unknown = () => undefined;
    const b = await bridge({ authorize: () => answer() as never });
    for (const [given, status] of [
      [() => ({ watch: '../x y' }), 400],
      [() => ({ owner: '' }), 403],
      [() => ({ owner: 'a b' }), 403],
      [() => ({ refuse: 99, reason: 'odd\r\nX: y' }), 403],
      [() => undefined, 401],
      [() => null, 401],
      [() => 'solo', 401],
      [() => Promise.resolve(undefined), 401],
      [() => Promise.reject(new Error('database is down')), 500],
      [() => Promise.resolve({ owner: 'learner:async', shell: () => bashFor('learner:async') }), undefined],
    ] as const) {
      answer = given;
      const result = await upgradeStatus(b, '');
      if (status === undefined) expect(result).toEqual({ opened: true });
      else expect(result, String(given)).toMatchObject({ opened: false, status });
    }
    const throwing = await bridge({
      authorize: () => {
        throw new Error('boom');
      },
    });
    expect(await upgradeStatus(throwing, '')).toMatchObject({ opened: false, status: 500 });
    expect(throwing.logs.join('\n')).toContain('authorizer failed');
  });

  it("watching an owner with no terminal, watcher protocol errors and oversized frames close only that socket; the server and the learner go on", async () => {
    const b = await bridge();
    const learner = await client(b, 'as=learner:h');
    await learner.ready();

    // A watcher of nobody: waits quietly.
    const ghost = await client(b, 'watch=learner:nobody', { ack: false });
    // Input before hello, a second hello, a bad hello, garbage: each closes only that socket.
    const early = await client(b, 'watch=learner:h', { hello: false });
    early.ws.send(encodeInput(Buffer.from('echo early-watcher\r')));
    expect((await early.closed).code).toBe(CloseCode.protocolError);
    const twice = await client(b, 'watch=learner:h', { ack: false });
    twice.sendControl({ t: 'hello', v: PROTOCOL_VERSION, cols: 80, rows: 24 });
    expect((await twice.closed).code).toBe(CloseCode.protocolError);
    const badHello = await client(b, 'watch=learner:h', { hello: false });
    badHello.sendControl('{"t":"hello","v":1,"cols":80,"rows":24,"session":"../../etc/passwd","seq":-1}');
    expect((await badHello.closed).code).toBe(CloseCode.protocolError);
    const badFrame = await client(b, 'watch=learner:h', { ack: false });
    await badFrame.ready();
    badFrame.ws.send(Buffer.from([0x07, 1, 2, 3]));
    expect((await badFrame.closed).code).toBe(CloseCode.protocolError);

    // Oversized frames, from a watcher and from a learner: ws closes them (1009).
    const bigWatcher = await client(b, 'watch=learner:h', { ack: false });
    await bigWatcher.ready();
    bigWatcher.ws.send(encodeInput(new Uint8Array(MAX_FRAME_BYTES + 10)));
    expect((await bigWatcher.closed).code).toBe(1009);
    const bigLearner = await client(b, 'as=learner:big');
    await bigLearner.ready();
    bigLearner.ws.send(encodeControl({ t: 'ack', seq: 1 }).padEnd(MAX_FRAME_BYTES + 10, ' '));
    expect((await bigLearner.closed).code).toBe(1009);

    // Nothing reached the learner's shell; it still works, and new watchers still get in.
    learner.type('echo "alive-$((8+8))"');
    await learner.waitFor('alive-16');
    expect(learner.text()).not.toContain('early-watcher');
    expect(learner.closedWith).toBeUndefined();
    const fresh = await client(b, 'watch=learner:h', { ack: false });
    await fresh.waitFor('alive-16');
    expect(ghost.closedWith).toBeUndefined();
    expect(b.sessions.watchers('learner:h')).toBe(1);
  });

  it('limits watchers per owner', async () => {
    const b = await bridge({ manager: { maxWatchersPerOwner: 2 } });
    await (await client(b, 'as=learner:p')).ready();
    await (await client(b, 'watch=learner:p', { ack: false })).ready();
    await (await client(b, 'watch=learner:p', { ack: false })).ready();
    const third = await client(b, 'watch=learner:p', { ack: false });
    expect((await third.closed).code).toBe(CloseCode.tooManySessions);
    expect(b.sessions.watchers('learner:p')).toBe(2);
  });
});
