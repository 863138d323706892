// The dashboard's live feed: Server-Sent Events per cohort (grid changes, help requests,
// environment states) and per learner (broadcasts, "an instructor is watching"). Each stream is
// a disposable: a closed tab removes its listener; a heartbeat keeps proxies from idling it out.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type LiveEvent = { type: string; [key: string]: unknown };
type Listener = (event: LiveEvent) => void;

const HEARTBEAT_MS = 20_000;

export class LiveFeed {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(channel: string, event: LiveEvent): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event);
  }

  subscribers(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }

  /** Streams `channel` to this response until the client goes away; `first` is sent at once. */
  stream(req: IncomingMessage, res: ServerResponse, channel: string, first?: LiveEvent): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const send: Listener = (event) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (first) send(first);
    const set = this.listeners.get(channel) ?? new Set<Listener>();
    set.add(send);
    this.listeners.set(channel, set);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const close = () => {
      clearInterval(heartbeat);
      set.delete(send);
      if (set.size === 0) this.listeners.delete(channel);
    };
    req.once('close', close);
    res.once('error', close);
  }
}
