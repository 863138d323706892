// Fuzz-ish: a few thousand random, garbled and hostile frames against a running server. It must
// close bad sockets with a reason, never crash, and an honest session must keep working.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeControl, encodeInput, decodeOutput, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../src/terminal/protocol.ts';
import { startServer, type RunningServer } from './harness.ts';

let server: RunningServer;
let lessonPath: string;

async function pageToken(): Promise<string> {
  const html = await (await fetch(new URL(lessonPath, server.url))).text();
  return /data-token="([^"]+)"/.exec(html)![1]!;
}

/** A seeded generator so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return {
    int: (max: number) => Math.floor(next() * max),
    bytes: (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
    pick: <T>(items: T[]) => items[Math.floor(next() * items.length)]!,
  };
}

type Honest = { ws: WebSocket; text: () => string; type: (line: string) => void };

async function honestSession(): Promise<Honest> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/terminal?token=${encodeURIComponent(await pageToken())}`, {
    headers: { Origin: `http://127.0.0.1:${server.port}` },
  });
  let output = Buffer.alloc(0);
  let end = 0;
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const decoded = decodeOutput(new Uint8Array(data as Buffer));
    if (decoded.ok) {
      output = Buffer.concat([output, decoded.value.bytes]);
      end = decoded.value.seq + decoded.value.bytes.length;
      ws.send(encodeControl({ t: 'ack', seq: end }));
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, cols: 100, rows: 30 }));
  return { ws, text: () => output.toString('utf8'), type: (line) => ws.send(encodeInput(Buffer.from(`${line}\r`))) };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
  const index = await (await fetch(new URL('/en/', server.url))).text();
  lessonPath = /href="(\/en\/lessons\/[^"]+)"/.exec(index)![1]!;
});
afterAll(async () => {
  await server?.stop();
});

describe('terminal WebSocket under garbage', () => {
  it('survives thousands of bad frames; an existing session keeps working and new ones start', async () => {
    const honest = await honestSession();
    honest.type('echo "before-$((20+1))"');
    await until(() => honest.text().includes('before-21'), 'the honest session to answer');

    const rng = random(20260126);
    const token = await pageToken();
    const closeCodes = new Map<number, number>();
    let frames = 0;
    const origin = `http://127.0.0.1:${server.port}`;
    const hostile = (i: number): Array<string | Uint8Array | { text: Uint8Array }> => {
      const frames: Array<string | Uint8Array | { text: Uint8Array }> = [];
      // About one connection in six says a valid hello first (then misbehaves inside a session).
      if (i % 6 === 0) frames.push(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, cols: 80, rows: 24 }));
      for (let n = 0; n < 14; n++) {
        const kind = rng.int(12);
        if (kind === 0) frames.push(rng.bytes(rng.int(64)));
        else if (kind === 1) frames.push(Uint8Array.from([rng.pick([2, 3, 255, 1]), ...rng.bytes(rng.int(32))])); // unknown/invalid binary tags (never real input)
        else if (kind === 2) frames.push(Buffer.from(rng.bytes(rng.int(80))).toString('latin1'));
        else if (kind === 3) frames.push(`{"t":"resize","cols":${rng.pick(['1e9', '-1', '0', '"80"', 'null', '99999', '3.5'])},"rows":${rng.pick(['24', '1e12', '-5'])}}`);
        else if (kind === 4) frames.push(`{"t":"ack","seq":${rng.pick(['-1', '1e300', '"x"', '9007199254740993', '5e15'])}}`);
        else if (kind === 5) frames.push(`{"t":"${rng.pick(['exec', 'hello', 'HELLO', '__proto__', ''])}","v":${rng.pick(['1', '2', 'null'])},"cols":80,"rows":24}`);
        else if (kind === 6) frames.push('{'.repeat(rng.int(2000)));
        else if (kind === 7) frames.push(JSON.stringify({ t: 'ack', seq: 1, pad: 'x'.repeat(rng.int(5000)) }));
        else if (kind === 8) frames.push({ text: Uint8Array.from([0xc3, 0x28, 0xff, 0xfe]) }); // invalid UTF-8 in a text frame
        else if (kind === 9) frames.push('[]');
        else if (kind === 10) frames.push(`{"t":"hello","v":1,"cols":80,"rows":24,"session":"${rng.pick(['../../etc/passwd', 'x', 'A'.repeat(200), 'nonexistent-session-id'])}"}`);
        else frames.push(encodeControl({ t: 'resize', cols: 1 + rng.int(1000), rows: 1 + rng.int(500) }));
      }
      return frames;
    };

    const CONNECTIONS = 220;
    for (let batch = 0; batch < CONNECTIONS; batch += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, j) => {
          const i = batch + j;
          const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/terminal?token=${encodeURIComponent(token)}`, { headers: { Origin: origin } });
          ws.on('error', () => {});
          const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
          await new Promise((resolve) => {
            ws.once('open', resolve);
            ws.once('close', resolve);
          });
          for (const frame of hostile(i)) {
            if (ws.readyState !== WebSocket.OPEN) break;
            if (typeof frame === 'string') ws.send(frame);
            else if (frame instanceof Uint8Array) ws.send(frame, { binary: true });
            else ws.send(frame.text, { binary: false });
            frames++;
          }
          const timer = setTimeout(() => ws.terminate(), 10_000); // fallback only: the server closes bad sockets itself
          const code = await closed;
          clearTimeout(timer);
          closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
        }),
      );
    }

    // Oversized frames and raw garbage on the TCP socket.
    for (let i = 0; i < 5; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/terminal?token=${encodeURIComponent(token)}`, { headers: { Origin: origin } });
      ws.on('error', () => {});
      await new Promise((resolve) => ws.once('open', resolve));
      const code = await new Promise<number>((resolve) => {
        ws.on('close', (c) => resolve(c));
        ws.send(new Uint8Array(MAX_FRAME_BYTES + 1 + i));
        frames++;
      });
      closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
    }
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write(i % 2 ? rng.bytes(512) : `GET /ws/terminal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n${'\0'.repeat(100)}`);
          frames++;
          setTimeout(() => socket.destroy(), 50);
        });
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
      });
    }

    expect(frames).toBeGreaterThan(2000);
    // Every hostile socket was closed by the server with a protocol-level reason.
    const total = [...closeCodes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(CONNECTIONS + 5);
    expect(closeCodes.get(1006) ?? 0, `close codes: ${JSON.stringify([...closeCodes])}`).toBe(0);
    expect(closeCodes.get(1009), 'oversized frames are closed as too big').toBe(5);

    // The server is alive, the honest session still works, and a new session starts.
    expect(server.process.exitCode).toBeNull();
    honest.type('echo "after-$((20+2))"');
    await until(() => honest.text().includes('after-22'), 'the honest session after the fuzzing');
    const fresh = await honestSession();
    fresh.type('echo "fresh-$((20+3))"');
    await until(() => fresh.text().includes('fresh-23'), 'a new session after the fuzzing');
    honest.ws.close();
    fresh.ws.close();
    const page = await fetch(new URL(lessonPath, server.url));
    expect(page.status).toBe(200);
  });
});
