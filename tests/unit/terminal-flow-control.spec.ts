import { describe, expect, it } from 'vitest';
import { OutputFlow } from '../../src/terminal/flow-control.ts';
import { HIGH_WATERMARK_BYTES, LOW_WATERMARK_BYTES } from '../../src/terminal/protocol.ts';

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
    const flow = new OutputFlow(1000, 100);
    flow.sentUpTo(500);
    expect(flow.isPaused).toBe(false);
    flow.sentUpTo(1500);
    expect(flow.isPaused).toBe(true);
    flow.ackedUpTo(1000); // 500 in flight: between low and high
    expect(flow.isPaused).toBe(true);
  });

  it('ignores stale, repeated and impossible acks', () => {
    const flow = new OutputFlow(1000, 100);
    flow.sentUpTo(2000);
    expect(flow.ackedUpTo(5000)).toBeUndefined(); // beyond what was sent
    expect(flow.unacknowledged).toBe(2000);
    flow.ackedUpTo(1500);
    flow.ackedUpTo(200); // older than the last ack
    expect(flow.unacknowledged).toBe(500);
  });

  it('resumes when the browser goes away, and re-evaluates on attach', () => {
    const flow = new OutputFlow(1000, 100);
    expect(flow.sentUpTo(5000)).toBe('pause');
    expect(flow.detach()).toBe('resume');
    // A reconnecting tab that has seen up to 1000 of 5000 bytes gets 4000 replayed: paused again until it acks.
    expect(flow.attach(1000, 5000)).toBe('pause');
    expect(flow.ackedUpTo(4950)).toBe('resume');
  });

  it('refuses watermarks in the wrong order', () => {
    expect(() => new OutputFlow(100, 100)).toThrow(/low watermark/);
  });
});
