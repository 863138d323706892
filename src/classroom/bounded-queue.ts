// At most `concurrency` tasks at once and at most `waiting` in line; one more is refused at once
// (BusyError, with how long to wait) instead of queued without limit. For work that is slow on
// purpose (password checks): a flood of it must cost the server a bounded amount, not stall it.

export class BusyError extends Error {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(`busy: try again in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class BoundedQueue {
  private readonly concurrency: number;
  private readonly waiting: number;
  private running = 0;
  private readonly line: Array<() => void> = [];
  /** How long the last task took: the estimate behind Retry-After. */
  private lastMs = 1_000;

  constructor(options: { concurrency: number; waiting: number }) {
    this.concurrency = options.concurrency;
    this.waiting = options.waiting;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.line.length >= this.waiting) throw new BusyError(Math.max(1, Math.ceil(((this.line.length + 1) * this.lastMs) / this.concurrency / 1000)));
      // A finishing task hands its slot over: `running` still counts it.
      await new Promise<void>((resolve) => this.line.push(resolve));
    } else {
      this.running++;
    }
    const started = Date.now();
    try {
      return await task();
    } finally {
      this.lastMs = Date.now() - started;
      const next = this.line.shift();
      if (next) next();
      else this.running--;
    }
  }
}
