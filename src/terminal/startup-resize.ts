// A shell that is still starting can miss a resize. `docker exec -it` (the classroom's local
// sandboxes) reads the terminal's size once after the exec starts and listens for SIGWINCH only
// after that: a browser resize in between is lost, and the exec keeps the old size (a phone whose
// terminal sheet opened right after the join: tmux drew one row). So a resize in a shell's first
// seconds is announced again, twice, by a SIGWINCH to the pty's process; a program that already
// has the size does nothing with it (docker sends the same size, which the kernel ignores).

/** How long after the start a resize is announced again. */
export const STARTUP_MS = 10_000;
/** When, after such a resize, it is announced again. */
const AGAIN_AFTER_MS = [500, 2000];

export class StartupResizes {
  private readonly startedAt = Date.now();
  private timers: ReturnType<typeof setTimeout>[] = [];
  /** The pty's process; 0 when there is none (a shell in a pod, whose exec API resizes reliably). */
  private readonly pid: number;

  constructor(pid: number) {
    this.pid = pid;
  }

  resized(): void {
    if (this.pid <= 0 || Date.now() - this.startedAt > STARTUP_MS) return;
    this.dispose();
    this.timers = AGAIN_AFTER_MS.map((ms) => {
      const timer = setTimeout(() => this.announce(), ms);
      timer.unref();
      return timer;
    });
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  private announce(): void {
    try {
      process.kill(this.pid, 'SIGWINCH');
    } catch {
      // Gone already.
    }
  }
}
