// Protocol-level clients: a Node WebSocket client speaking each server's own wire protocol, as
// its browser page would (ours: binary frames + acks; gotty: base64 text messages).
import WebSocket from 'ws';
import { PROTOCOL_VERSION, decodeOutput, encodeControl, encodeInput, shouldAcknowledge } from '../../src/terminal/protocol.ts';

export type Bridge = {
  name: string;
  /** The process serving this terminal (its CPU time is measured). */
  pid: number;
  send(text: string): void;
  /** Called with every output chunk (decoded bytes). */
  onOutput: (chunk: Buffer) => void;
  close(): void;
};

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

/** A page token, as the lesson page embeds it. */
export async function pageToken(baseUrl: string): Promise<string> {
  const index = await (await fetch(new URL('/en/', baseUrl))).text();
  const lesson = /href="(\/en\/lessons\/[^"]+)"/.exec(index)![1]!;
  return /data-token="([^"]+)"/.exec(await (await fetch(new URL(lesson, baseUrl))).text())![1]!;
}

export async function ourClient(baseUrl: string, pid: number): Promise<Bridge> {
  const { port } = new URL(baseUrl);
  const token = await pageToken(baseUrl);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/terminal?token=${encodeURIComponent(token)}`, {
    headers: { Origin: `http://127.0.0.1:${port}` },
  });
  const bridge: Bridge = { name: 'ours', pid, send: (text) => ws.send(encodeInput(Buffer.from(text))), onOutput: () => {}, close: () => ws.close() };
  // Acknowledge by the browser's rule (shouldAcknowledge), rendering being instant here: the
  // output of one event-loop turn counts as "still rendering" until the turn ends.
  let received = 0;
  let acked = 0;
  let turnEnd: NodeJS.Immediate | undefined;
  const ackIf = (stillRendering: boolean) => {
    if (shouldAcknowledge(received - acked, stillRendering) && ws.readyState === WebSocket.OPEN) {
      acked = received;
      ws.send(encodeControl({ t: 'ack', seq: received }));
    }
  };
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const decoded = decodeOutput(new Uint8Array(data as Buffer));
    if (!decoded.ok) return;
    received = decoded.value.seq + decoded.value.bytes.length;
    ackIf(true);
    turnEnd ??= setImmediate(() => {
      turnEnd = undefined;
      ackIf(false);
    });
    bridge.onOutput(Buffer.from(decoded.value.bytes));
  });
  await opened(ws);
  ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, cols: 120, rows: 40 }));
  return bridge;
}

export async function gottyClient(port: number, pid: number): Promise<Bridge> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['webtty'], { headers: { Origin: `http://127.0.0.1:${port}` } });
  const bridge: Bridge = { name: 'gotty', pid, send: (text) => ws.send(`1${text}`), onOutput: () => {}, close: () => ws.close() };
  ws.on('message', (data) => {
    const message = data.toString();
    if (message[0] === '1') bridge.onOutput(Buffer.from(message.slice(1), 'base64'));
  });
  await opened(ws);
  ws.send(JSON.stringify({ Arguments: '', AuthToken: '' }));
  ws.send(`3${JSON.stringify({ columns: 120, rows: 40 })}`);
  return bridge;
}
