// Attempts per key (a client address, a cohort) within a sliding window: join codes and
// passwords cannot be guessed at network speed. In memory: a restart forgets, which is fine
// for a window of minutes.
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Records an attempt; returns the seconds to wait when over the limit, else 0. */
  take(key: string, now = Date.now()): number {
    const wait = this.wait(key, now);
    if (wait === 0) this.record(key, now);
    return wait;
  }

  /** The seconds to wait before the next attempt of `key` (0: go on), recording nothing. */
  wait(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    return recent.length >= this.limit ? Math.ceil((recent[0]! + this.windowMs - now) / 1000) : 0;
  }

  record(key: string, now = Date.now()): void {
    this.hits.set(key, [...this.recent(key, now), now]);
    if (this.hits.size > 10_000) this.sweep(now);
  }

  private recent(key: string, now: number): number[] {
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
    this.hits.set(key, recent);
    return recent;
  }

  private sweep(now: number): void {
    for (const [key, times] of this.hits) if (times.every((at) => at <= now - this.windowMs)) this.hits.delete(key);
  }
}

/**
 * One limited action (signing in, joining, resuming): attempts per source address, and failures
 * from all addresses together. A learner with root in their cluster's node can give it as many
 * addresses as they like, so the per-address limit alone multiplies with them; the global budget
 * does not. It counts failures only: a class joining at once, or an instructor signing in, never
 * spends it. What it costs when spent is said where each one is made (src/server/classroom-limits.ts).
 */
export class AttemptBudget {
  private readonly perAddress: RateLimiter;
  private readonly failures: RateLimiter;
  private readonly exempt: (address: string) => boolean;

  constructor(options: { perAddress: RateLimiter; failures: number; windowMs: number; exempt?: (address: string) => boolean }) {
    this.perAddress = options.perAddress;
    this.failures = new RateLimiter(options.failures, options.windowMs);
    this.exempt = options.exempt ?? (() => false);
  }

  /** Records an attempt from `address`; the seconds to wait when over either budget, else 0. */
  admit(address: string, now = Date.now()): number {
    return this.perAddress.take(address, now) || (this.exempt(address) ? 0 : this.failures.wait('all', now));
  }

  failed(now = Date.now()): void {
    this.failures.record('all', now);
  }
}
