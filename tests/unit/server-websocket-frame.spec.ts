// Our one-buffer output frames must be exactly what a WebSocket client expects: decoded here by
// ws's own Receiver (the parser behind every Node client) at each header-length boundary.
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { binaryFrame } from '../../src/server/websocket-frame.ts';

// ws exports its Receiver only from the CommonJS entry, and its types do not declare it.
type ReceiverClass = new (options: { isServer: boolean; maxPayload: number }) => Writable;
const { Receiver } = createRequire(import.meta.url)('ws') as { Receiver: ReceiverClass };

function receive(frames: Buffer[]): Promise<Buffer[]> {
  const receiver = new Receiver({ isServer: false, maxPayload: 1 << 20 });
  const messages: Buffer[] = [];
  return new Promise((resolve, reject) => {
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) reject(new Error('expected a binary message'));
      messages.push(Buffer.from(data));
      if (messages.length === frames.length) resolve(messages);
    });
    receiver.on('error', reject);
    // One stream, split at odd places: a client sees frames however TCP cuts them.
    const stream = Buffer.concat(frames);
    for (let at = 0; at < stream.length; at += 7777) receiver.write(stream.subarray(at, at + 7777));
  });
}

describe('binary websocket frames written whole', () => {
  it('decode to the same payloads at every header size (7-bit, 16-bit, 64-bit lengths)', async () => {
    const payloads = [0, 1, 125, 126, 127, 65535, 65536, 70_000].map((length) => Buffer.alloc(length, length % 251));
    const received = await receive(payloads.map((payload) => binaryFrame(payload)));
    expect(received.map((message) => message.length)).toEqual(payloads.map((payload) => payload.length));
    received.forEach((message, i) => expect(message.equals(payloads[i]!)).toBe(true));
  });

  it('are unmasked FIN binary frames with the shortest length encoding', () => {
    expect([...binaryFrame(Buffer.from('hi')).subarray(0, 2)]).toEqual([0x82, 2]);
    expect([...binaryFrame(Buffer.alloc(300)).subarray(0, 4)]).toEqual([0x82, 126, 1, 44]);
    expect(binaryFrame(Buffer.alloc(70_000))[1]).toBe(127);
  });
});
