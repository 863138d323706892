import { describe, expect, it } from 'vitest';
import {
  MAX_COLS,
  MAX_CONTROL_CHARS,
  MAX_ROWS,
  PROTOCOL_VERSION,
  decodeClientControl,
  decodeInput,
  decodeOutput,
  decodeServerControl,
  encodeControl,
  encodeInput,
  encodeOutput,
  type ClientControl,
  type ServerControl,
} from '../../src/terminal/protocol.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('terminal protocol: binary frames', () => {
  it('round-trips input bytes, including empty and non-UTF-8 bytes', () => {
    for (const payload of [bytes('ls -la\r'), new Uint8Array(0), Uint8Array.from([0, 255, 27, 91, 65])]) {
      const decoded = decodeInput(encodeInput(payload));
      expect(decoded.ok && Array.from(decoded.value)).toEqual(Array.from(payload));
    }
  });

  it('round-trips output with its sequence number, up to 2^53', () => {
    for (const seq of [0, 1, 99_999, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const decoded = decodeOutput(encodeOutput(seq, bytes('hello')));
      expect(decoded).toEqual({ ok: true, value: { seq, bytes: bytes('hello') } });
    }
  });

  it('decodes output frames that sit at an offset inside a larger buffer', () => {
    const frame = encodeOutput(42, bytes('xy'));
    const padded = new Uint8Array(frame.length + 7);
    padded.set(frame, 7);
    const decoded = decodeOutput(padded.subarray(7));
    expect(decoded.ok && decoded.value.seq).toBe(42);
  });

  it('rejects unknown tags, empty and truncated frames with a reason', () => {
    expect(decodeInput(new Uint8Array(0))).toEqual({ ok: false, reason: 'empty binary frame' });
    expect(decodeInput(Uint8Array.from([7, 1]))).toMatchObject({ ok: false, reason: expect.stringContaining('tag 7') });
    expect(decodeInput(encodeOutput(0, bytes('x')))).toMatchObject({ ok: false });
    expect(decodeOutput(Uint8Array.from([1, 0, 0]))).toMatchObject({ ok: false, reason: expect.stringContaining('shorter') });
    const negative = encodeOutput(0, bytes('x'));
    new DataView(negative.buffer).setFloat64(1, -1);
    expect(decodeOutput(negative)).toMatchObject({ ok: false });
  });
});

describe('terminal protocol: control messages', () => {
  const clientMessages: ClientControl[] = [
    { t: 'hello', v: PROTOCOL_VERSION, cols: 80, rows: 24 },
    { t: 'hello', v: PROTOCOL_VERSION, cols: 120, rows: 40, session: 'abcdEFGH_1234-xyz', seq: 123_456 },
    { t: 'resize', cols: MAX_COLS, rows: MAX_ROWS },
    { t: 'ack', seq: 0 },
    { t: 'ack', seq: 10_000_000 },
  ];
  it.each(clientMessages)('round-trips client message %j', (message) => {
    expect(decodeClientControl(encodeControl(message))).toEqual({ ok: true, value: message });
  });

  const serverMessages: ServerControl[] = [
    { t: 'ready', session: 'abcdEFGH_1234-xyz', seq: 77, live: 4096, resumed: true, truncated: false, shell: '/bin/bash' },
    { t: 'exit', code: 0 },
    { t: 'exit', code: 129, signal: 1 },
    { t: 'error', message: 'could not start a shell' },
  ];
  it.each(serverMessages)('round-trips server message %j', (message) => {
    expect(decodeServerControl(encodeControl(message))).toEqual({ ok: true, value: message });
  });

  it.each([
    ['not JSON', '{nope', 'not JSON'],
    ['an array', '[1,2]', 'not an object'],
    ['null', 'null', 'not an object'],
    ['unknown type', '{"t":"exec","cmd":"rm -rf /"}', 'unknown control message type'],
    ['absurd columns', '{"t":"resize","cols":100000000,"rows":24}', 'cols must be'],
    ['zero rows', '{"t":"resize","cols":80,"rows":0}', 'rows must be'],
    ['fractional size', '{"t":"resize","cols":80.5,"rows":24}', 'cols must be'],
    ['string size', '{"t":"resize","cols":"80","rows":24}', 'cols must be'],
    ['negative ack', '{"t":"ack","seq":-5}', 'ack: seq'],
    ['unsafe ack', '{"t":"ack","seq":1e300}', 'ack: seq'],
    ['wrong version', '{"t":"hello","v":99,"cols":80,"rows":24}', 'unsupported protocol version'],
    ['bad session id', '{"t":"hello","v":1,"cols":80,"rows":24,"session":"../../etc"}', 'session must be'],
    ['oversized message', JSON.stringify({ t: 'ack', seq: 1, pad: 'x'.repeat(MAX_CONTROL_CHARS) }), 'longer than'],
  ])('rejects %s', (_name, text, reason) => {
    const decoded = decodeClientControl(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(reason);
  });

  it('drops unknown extra fields instead of passing them on', () => {
    const decoded = decodeClientControl('{"t":"resize","cols":80,"rows":24,"__proto__":{"x":1},"evil":true}');
    expect(decoded).toEqual({ ok: true, value: { t: 'resize', cols: 80, rows: 24 } });
  });
});
