// The ring buffer and a real shell in a real pty: output is sequence-numbered, a detached
// session keeps running, and re-attaching from an offset replays exactly what was missed.
import { afterEach, describe, expect, it } from 'vitest';
import { OutputRing } from '../../src/terminal/output-ring.ts';
import { OUTPUT_BATCH_BYTES, decodeOutput, encodeControl, type ServerControl } from '../../src/terminal/protocol.ts';
import { SessionManager } from '../../src/terminal/session-manager.ts';
import type { TerminalSession } from '../../src/terminal/session.ts';
import type { TerminalSink } from '../../src/terminal/sink.ts';

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

describe('output ring', () => {
  it('numbers output by stream offset and replays from any offset it still holds', () => {
    const ring = new OutputRing(1024);
    ring.append(Buffer.from('hello '));
    expect(ring.end).toBe(6);
    expect(text([ring.append(Buffer.from('world'))])).toBe('world');
    expect(ring.end).toBe(11);
    expect(text(ring.readFrom(0).chunks)).toBe('hello world');
    expect(text(ring.readFrom(3).chunks)).toBe('lo world');
    expect(ring.readFrom(8)).toMatchObject({ seq: 8, truncated: false });
    expect(ring.readFrom(11).chunks).toEqual([]);
    expect(ring.readFrom(500)).toMatchObject({ seq: 11, chunks: [] });
  });

  it('stays within its capacity, dropping the oldest bytes, and says when a resume lost some', () => {
    const ring = new OutputRing(10);
    ring.append(Buffer.from('0123456789'));
    ring.append(Buffer.from('abcd'));
    expect(ring.start).toBe(4);
    expect(ring.end).toBe(14);
    const replay = ring.readFrom(2);
    expect(replay).toMatchObject({ seq: 4, truncated: true });
    expect(text(replay.chunks)).toBe('456789abcd');
    ring.append(Buffer.alloc(25, 120));
    expect(ring.end - ring.start).toBe(10);
  });

  it('keeps its offsets right across thousands of small chunks (a flood) and evictions', () => {
    const ring = new OutputRing(4096);
    let all = '';
    for (let i = 0; i < 5000; i++) {
      const piece = `${i},`;
      all += piece;
      ring.append(Buffer.from(piece));
    }
    expect(ring.end).toBe(all.length);
    expect(ring.end - ring.start).toBe(4096);
    expect(text(ring.readFrom(ring.start).chunks)).toBe(all.slice(-4096));
    expect(text(ring.readFrom(all.length - 7).chunks)).toBe(all.slice(-7));
    expect(ring.readFrom(0)).toMatchObject({ seq: ring.start, truncated: true });
  });

  it('copies appended bytes (node-pty may reuse its buffers)', () => {
    const ring = new OutputRing(100);
    const source = Buffer.from('abc');
    ring.append(source);
    source.write('xyz');
    expect(text(ring.readFrom(0).chunks)).toBe('abc');
  });
});

class RecordingSink implements TerminalSink {
  output: { seq: number; bytes: Uint8Array }[] = [];
  controls: ServerControl[] = [];
  closed: { code: number; reason: string } | undefined;
  sendOutput(frame: Uint8Array) {
    const decoded = decodeOutput(frame);
    if (!decoded.ok) throw new Error(decoded.reason);
    this.output.push(decoded.value);
  }
  sendControl(message: ServerControl) {
    // Everything the server says must survive the wire format.
    JSON.parse(encodeControl(message));
    this.controls.push(message);
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  get text() {
    return text(this.output.map((o) => o.bytes));
  }
  /** Offset just past the last byte received. */
  get end() {
    const last = this.output.at(-1);
    return last ? last.seq + last.bytes.length : (this.controls.find((c) => c.t === 'ready') as { seq: number } | undefined)?.seq ?? 0;
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const managers: SessionManager[] = [];
function manager(options: Partial<ConstructorParameters<typeof SessionManager>[0]> = {}): SessionManager {
  const created = new SessionManager({
    idleTimeoutMs: 60_000,
    shell: () => ({ file: '/bin/bash', args: ['--norc', '--noprofile'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', PS1: '$ ' }, cwd: '/tmp' }),
    ...options,
  });
  managers.push(created);
  return created;
}
afterEach(() => {
  for (const m of managers.splice(0)) m.dispose();
});
const type = (session: TerminalSession, line: string) => session.input(Buffer.from(`${line}\r`));

describe('terminal session (real bash in a pty)', () => {
  it('resumes from the last seen offset: nothing lost, nothing repeated', async () => {
    const sessions = manager();
    const session = sessions.create({ cols: 80, rows: 24 });
    const first = new RecordingSink();
    session.attach(first);
    type(session, 'echo "one-$((1+1))"');
    await until(() => first.text.includes('one-2'), 'first output');
    const seen = first.end;

    // The socket drops; the shell keeps working while nobody watches.
    session.detach(first);
    type(session, 'echo "two-$((2+1))"');
    await until(() => session.outputEnd > seen && text([]) === '' && session.outputEnd - seen > 10, 'output while detached');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const second = new RecordingSink();
    const attached = session.attach(second, seen);
    expect(attached).toMatchObject({ seq: seen, truncated: false, resumed: true });
    expect(second.controls[0]).toMatchObject({ t: 'ready', session: session.id, seq: seen, resumed: true });
    expect(second.output[0]?.seq).toBe(seen);
    expect(second.text).toContain('two-3');
    expect(second.text).not.toContain('one-2');
    // Contiguous offsets across the two sockets.
    for (let i = 1; i < second.output.length; i++) {
      expect(second.output[i]!.seq).toBe(second.output[i - 1]!.seq + second.output[i - 1]!.bytes.length);
    }
  });

  it('a reloaded tab (no offset) gets the whole buffered scrollback of the same shell', async () => {
    const sessions = manager();
    const session = sessions.create({ cols: 80, rows: 24 });
    const tab = new RecordingSink();
    session.attach(tab);
    type(session, 'echo "pid-$$"');
    await until(() => /pid-\d+/.test(tab.text), 'pid');
    const pid = /pid-(\d+)/.exec(tab.text)![1];
    session.detach(tab);
    const reloaded = new RecordingSink();
    session.attach(reloaded);
    expect(reloaded.output[0]?.seq).toBe(0);
    expect(reloaded.text).toContain(`pid-${pid}`);
    expect(sessions.get(session.id)).toBe(session);
  });

  it('a second tab takes the shell over and the first is told why', () => {
    const sessions = manager();
    const session = sessions.create({ cols: 80, rows: 24 });
    const first = new RecordingSink();
    const second = new RecordingSink();
    session.attach(first);
    session.attach(second);
    expect(first.closed?.code).toBe(4409);
    expect(session.isAttached).toBe(true);
  });

  it('pauses the pty when output is not acknowledged and resumes on acks', async () => {
    const sessions = manager({ highWatermark: 20_000, lowWatermark: 2_000 });
    const session = sessions.create({ cols: 80, rows: 24 });
    const sink = new RecordingSink();
    session.attach(sink);
    type(session, 'yes | head -c 3000000 | tr -d "\\n"; echo; echo "flood-$((1+1))-done"');
    await until(() => session.isPaused, 'the pty to pause');
    const receivedWhilePaused = sink.end;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Paused: at most what was already read from the pty arrives (bounded, not 3 MB).
    expect(sink.end - receivedWhilePaused).toBeLessThan(200_000);
    expect(sink.text.includes('flood-2-done')).toBe(false);
    // Acknowledge everything as it arrives, like xterm does: the flood completes.
    const acker = setInterval(() => session.ack(sink.end), 5);
    try {
      await until(() => sink.text.includes('flood-2-done'), 'the flood to finish with acks', 30_000);
    } finally {
      clearInterval(acker);
    }
    // The flood's last bytes may have arrived after the acker's last tick (under load, more than
    // the high watermark): acknowledge them as xterm would, then the pty must be running.
    session.ack(sink.end);
    expect(session.isPaused).toBe(false);
  });

  it('sends a flood as contiguous frames of at most OUTPUT_BATCH_BYTES, every byte exactly once', async () => {
    const sessions = manager();
    const session = sessions.create({ cols: 80, rows: 24 });
    const sink = new RecordingSink();
    session.attach(sink);
    // Octal 130 is X: the echoed command line itself holds no X.
    type(session, 'head -c 2000000 /dev/zero | tr "\\0" "\\130"; echo; echo "flood-$((1+1))-done"');
    const acker = setInterval(() => session.ack(sink.end), 5);
    try {
      await until(() => sink.text.includes('flood-2-done'), 'the flood to finish', 30_000);
    } finally {
      clearInterval(acker);
    }
    for (let i = 1; i < sink.output.length; i++) expect(sink.output[i]!.seq).toBe(sink.output[i - 1]!.seq + sink.output[i - 1]!.bytes.length);
    expect(Math.max(...sink.output.map((o) => o.bytes.length))).toBeLessThanOrEqual(OUTPUT_BATCH_BYTES + 65_536);
    expect(sink.text.split('X').length - 1).toBe(2_000_000);
    expect(sink.end).toBe(session.outputEnd);
    // A reload replays the same bytes from the ring, batched into few frames.
    const reloaded = new RecordingSink();
    session.attach(reloaded, 0);
    expect(reloaded.text).toBe(sink.text);
    expect(reloaded.output.length).toBeLessThanOrEqual(Math.ceil(sink.end / OUTPUT_BATCH_BYTES) * 2);
    expect(Math.max(...reloaded.output.map((o) => o.bytes.length))).toBeLessThanOrEqual(OUTPUT_BATCH_BYTES + 65_536);
  });

  it('resizes the pty (stty size follows)', async () => {
    const sessions = manager();
    const session = sessions.create({ cols: 80, rows: 24 });
    const sink = new RecordingSink();
    session.attach(sink);
    session.resize({ cols: 132, rows: 43 });
    type(session, 'echo "SIZE=$(stty size)"');
    await until(() => sink.text.includes('SIZE=43 132'), 'stty size 43 132');
  });

  it('reaps shells nobody has looked at for the idle time, and only those', async () => {
    const sessions = manager({ idleTimeoutMs: 200 });
    const watched = sessions.create({ cols: 80, rows: 24 });
    watched.attach(new RecordingSink());
    const idle = sessions.create({ cols: 80, rows: 24 });
    const idleSink = new RecordingSink();
    idle.attach(idleSink);
    idle.detach(idleSink);
    // The manager's own sweeper reaps it (it runs every idle/4, at least every 250 ms).
    await until(() => sessions.get(idle.id) === undefined, 'the idle shell to be reaped', 3_000);
    expect(sessions.reapIdle()).toBe(0);
    expect(idle.hasExited).toBe(true);
    expect(sessions.get(watched.id)).toBe(watched);
  });

  it('tells the browser when the shell exits and forgets the session', async () => {
    const sessions = manager();
    const session = sessions.create({ cols: 80, rows: 24 });
    const sink = new RecordingSink();
    session.attach(sink);
    type(session, 'exit 3');
    await until(() => sink.closed !== undefined, 'close after exit');
    expect(sink.controls.at(-1)).toEqual({ t: 'exit', code: 3 });
    expect(sink.closed?.code).toBe(4410);
    expect(sessions.get(session.id)).toBeUndefined();
  });

  it('at the shell limit ends the longest-idle detached shell, and refuses only when all are in use', async () => {
    const sessions = manager({ maxSessions: 3 });
    const inUse = sessions.create({ cols: 80, rows: 24 });
    inUse.attach(new RecordingSink());
    const older = sessions.create({ cols: 80, rows: 24 });
    const olderSink = new RecordingSink();
    older.attach(olderSink);
    older.detach(olderSink);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const newer = sessions.create({ cols: 80, rows: 24 });
    const newerSink = new RecordingSink();
    newer.attach(newerSink);
    newer.detach(newerSink);
    const fourth = sessions.create({ cols: 80, rows: 24 });
    fourth.attach(new RecordingSink());
    expect(sessions.get(older.id)).toBeUndefined();
    expect(older.hasExited).toBe(true);
    expect(sessions.get(newer.id)).toBe(newer);
    newer.attach(new RecordingSink());
    expect(sessions.size).toBe(3);
    expect(() => sessions.create({ cols: 80, rows: 24 })).toThrow(/too many terminal sessions in use/);
  });
});
