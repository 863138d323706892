// How many environments a pool makes at once: making one keeps a core busy (a kind cluster
// here) or loads the host's nodes, so creates wait their turn — a learner's before the pool's.

/** Waits its turn to make an environment: `urgent` ones (a learner waits) before the others. */
export class CreateGate {
  private running = 0;
  private readonly waiting: { urgent: boolean; go: () => void }[] = [];
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  async run<T>(urgent: boolean, work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((go) => {
        const at = urgent ? this.waiting.findIndex((w) => !w.urgent) : -1;
        this.waiting.splice(at < 0 ? this.waiting.length : at, 0, { urgent, go });
      });
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.go();
    }
  }
}
