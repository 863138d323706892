// Flow control by acknowledged bytes: the server counts output it sent, the browser
// acknowledges what xterm has rendered; too much in flight pauses the pty, and it resumes once
// the browser has caught up. Without this, `yes` floods the socket and the tab stops
// responding to keystrokes.
import { ACK_WHEN_IDLE_BYTES, HIGH_WATERMARK_BYTES, LOW_WATERMARK_BYTES } from './protocol.ts';

export type FlowAction = 'pause' | 'resume' | undefined;

export class OutputFlow {
  readonly high: number;
  readonly low: number;
  /** Stream offset just past the last byte handed to the socket. */
  private sent = 0;
  /** Stream offset the browser has confirmed rendering up to. */
  private acked = 0;
  private paused = false;

  constructor(high: number = HIGH_WATERMARK_BYTES, low: number = LOW_WATERMARK_BYTES) {
    if (!(low < high)) throw new Error(`flow control: low watermark ${low} must be below high watermark ${high}`);
    // Below ACK_WHEN_IDLE_BYTES a caught-up browser stays silent: a lower resume point could wait forever.
    if (low < ACK_WHEN_IDLE_BYTES) throw new Error(`flow control: low watermark ${low} must be at least ${ACK_WHEN_IDLE_BYTES} (ACK_WHEN_IDLE_BYTES)`);
    this.high = high;
    this.low = low;
  }

  get unacknowledged(): number {
    return this.sent - this.acked;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** A (re)attached browser has everything before `acked`; the socket now carries up to `sent`. */
  attach(acked: number, sent: number): FlowAction {
    this.acked = acked;
    this.sent = sent;
    return this.settle();
  }

  /** Output up to `offset` went to the socket. */
  sentUpTo(offset: number): FlowAction {
    if (offset > this.sent) this.sent = offset;
    return this.settle();
  }

  /** The browser rendered everything before `offset`. Stale or impossible acks are ignored. */
  ackedUpTo(offset: number): FlowAction {
    if (offset > this.acked && offset <= this.sent) this.acked = offset;
    return this.settle();
  }

  /** No browser attached: nobody will ack, so don't hold the shell hostage. */
  detach(): FlowAction {
    this.acked = this.sent;
    return this.settle();
  }

  private settle(): FlowAction {
    const inFlight = this.unacknowledged;
    if (!this.paused && inFlight > this.high) {
      this.paused = true;
      return 'pause';
    }
    if (this.paused && inFlight < this.low) {
      this.paused = false;
      return 'resume';
    }
    return undefined;
  }
}
