// Every listener the terminal registers is a disposable, collected in one place and released
// together when a socket or a session closes, so nothing keeps a dead pty or socket alive.

export type Disposable = { dispose(): void };

export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Registers `listener` on a Node-style emitter and remembers how to take it off. */
  on<A extends unknown[]>(
    emitter: { on(event: string, listener: (...args: A) => void): unknown; off(event: string, listener: (...args: A) => void): unknown },
    event: string,
    listener: (...args: A) => void,
  ): void {
    emitter.on(event, listener);
    this.add({ dispose: () => void emitter.off(event, listener) });
  }

  timer(handle: ReturnType<typeof setTimeout>): void {
    this.add({ dispose: () => clearTimeout(handle) });
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        item.dispose();
      } catch {
        // One failing release must not keep the others alive.
      }
    }
  }
}
