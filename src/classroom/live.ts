// The live feed's channels: per cohort (grid changes, help requests, environment states) and
// per learner (broadcasts, "an instructor is watching"). In memory and transport-free: the
// server streams a channel to a browser (src/server/event-stream.ts).

export type LiveEvent = { type: string; [key: string]: unknown };
export type LiveListener = (event: LiveEvent) => void;

/** A cohort's dashboards listen here; a learner's pages listen on their learner key. */
export const cohortChannel = (cohortId: number): string => `cohort:${cohortId}`;

export class LiveFeed {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  publish(channel: string, event: LiveEvent): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event);
  }

  subscribers(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }

  /** Hears `channel` until the returned function is called. */
  subscribe(channel: string, listener: LiveListener): () => void {
    const set = this.listeners.get(channel) ?? new Set<LiveListener>();
    set.add(listener);
    this.listeners.set(channel, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(channel) === set) this.listeners.delete(channel);
    };
  }
}
