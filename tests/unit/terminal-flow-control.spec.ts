import { describe, expect, it } from 'vitest';
import { OutputFlow } from '../../src/terminal/flow-control.ts';
import {
  ACK_EVERY_BYTES,
  ACK_WHEN_IDLE_BYTES,
  HIGH_WATERMARK_BYTES,
  LOW_WATERMARK_BYTES,
  shouldAcknowledge,
} from '../../src/terminal/protocol.ts';

describe('flow control by acknowledged bytes', () => {
  it('uses the documented watermarks: pause above 100 kB unacked, resume below 5 kB', () => {
    expect(HIGH_WATERMARK_BYTES).toBe(100_000);
    expect(LOW_WATERMARK_BYTES).toBe(5_000);
    const flow = new OutputFlow();
    expect(flow.sentUpTo(100_000)).toBeUndefined();
    expect(flow.sentUpTo(100_001)).toBe('pause');
    expect(flow.isPaused).toBe(true);
    expect(flow.sentUpTo(150_000)).toBeUndefined(); // already paused: no second pause
    expect(flow.ackedUpTo(140_000)).toBeUndefined(); // 10 kB in flight: still above low
    expect(flow.ackedUpTo(145_001)).toBe('resume'); // 4,999 in flight
    expect(flow.isPaused).toBe(false);
    expect(flow.unacknowledged).toBe(4_999);
  });

  it('has hysteresis: between the watermarks nothing changes in either direction', () => {
    const flow = new OutputFlow(20_000, 2_000);
    flow.sentUpTo(10_000);
    expect(flow.isPaused).toBe(false);
    flow.sentUpTo(30_000);
    expect(flow.isPaused).toBe(true);
    flow.ackedUpTo(20_000); // 10 kB in flight: between low and high
    expect(flow.isPaused).toBe(true);
  });

  it('ignores stale, repeated and impossible acks', () => {
    const flow = new OutputFlow(20_000, 2_000);
    flow.sentUpTo(40_000);
    expect(flow.ackedUpTo(100_000)).toBeUndefined(); // beyond what was sent
    expect(flow.unacknowledged).toBe(40_000);
    flow.ackedUpTo(30_000);
    flow.ackedUpTo(4_000); // older than the last ack
    expect(flow.unacknowledged).toBe(10_000);
  });

  it('resumes when the browser goes away, and re-evaluates on attach', () => {
    const flow = new OutputFlow(20_000, 2_000);
    expect(flow.sentUpTo(100_000)).toBe('pause');
    expect(flow.detach()).toBe('resume');
    // A reconnecting tab that has seen up to 20 kB of 100 kB gets 80 kB replayed: paused again until it acks.
    expect(flow.attach(20_000, 100_000)).toBe('pause');
    expect(flow.ackedUpTo(99_000)).toBe('resume');
  });

  it('refuses watermarks in the wrong order, or a resume point a caught-up browser would never ack down to', () => {
    expect(() => new OutputFlow(10_000, 10_000)).toThrow(/below high watermark/);
    expect(() => new OutputFlow(1_000, 100)).toThrow(/ACK_WHEN_IDLE_BYTES/);
  });
});

describe("the browser's acknowledgement rule", () => {
  it('acks every ACK_EVERY_BYTES while rendering, and once caught up only from ACK_WHEN_IDLE_BYTES', () => {
    expect(shouldAcknowledge(ACK_EVERY_BYTES, true)).toBe(true);
    expect(shouldAcknowledge(ACK_EVERY_BYTES - 1, true)).toBe(false);
    expect(shouldAcknowledge(ACK_WHEN_IDLE_BYTES, false)).toBe(true);
    expect(shouldAcknowledge(ACK_WHEN_IDLE_BYTES - 1, false)).toBe(false); // a keystroke's echo: no ack
    expect(shouldAcknowledge(0, false)).toBe(false);
  });

  // A server (the real OutputFlow) and a browser following shouldAcknowledge, with random chunk
  // sizes, network delays and render times: every byte gets through and the pair never stalls
  // (paused, nothing in the network, nothing left to render, no ack coming).
  for (const [high, low] of [[HIGH_WATERMARK_BYTES, LOW_WATERMARK_BYTES], [20_000, ACK_WHEN_IDLE_BYTES]] as const) {
    it(`never stalls with watermarks ${high}/${low}`, () => {
      let seed = 42;
      const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
      const flow = new OutputFlow(high, low);
      const total = 3_000_000;
      let produced = 0; // bytes the pty has handed to the server
      const network: number[] = []; // frame sizes on their way to the browser
      const acks: number[] = []; // ack offsets on their way back
      let received = 0;
      let rendering = 0; // bytes received but not yet rendered
      let lastAck = 0;
      for (let step = 0; received < total; step++) {
        expect(step).toBeLessThan(1_000_000);
        if (!flow.isPaused && produced < total && random() < 0.5) {
          const size = Math.min(total - produced, 1 + Math.floor(random() * 9_000));
          produced += size;
          network.push(size);
          flow.sentUpTo(produced);
        }
        if (network.length && random() < 0.4) {
          const size = network.shift()!;
          received += size;
          rendering += size;
        }
        if (rendering && random() < 0.3) rendering = Math.max(0, rendering - Math.floor(random() * 12_000));
        const rendered = received - rendering;
        if (shouldAcknowledge(rendered - lastAck, rendering > 0)) {
          lastAck = rendered;
          acks.push(rendered);
        }
        if (acks.length && random() < 0.4) flow.ackedUpTo(acks.shift()!);
        const stalled = flow.isPaused && !network.length && !rendering && !acks.length && !shouldAcknowledge(received - lastAck, false);
        expect(stalled).toBe(false);
      }
      expect(received).toBe(total);
    });
  }
});
