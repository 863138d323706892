// A live-feed channel as Server-Sent Events. Each stream is a disposable: a closed tab removes
// its listener; a heartbeat keeps proxies from idling it out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveEvent, LiveFeed } from '../classroom/live.ts';

const HEARTBEAT_MS = 20_000;

/** Streams `channel` to this response until the client goes away; `first` is sent at once. */
export function streamChannel(req: IncomingMessage, res: ServerResponse, feed: LiveFeed, channel: string, first?: LiveEvent): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  const send = (event: LiveEvent) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  if (first) send(first);
  const unsubscribe = feed.subscribe(channel, send);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.once('close', close);
  res.once('error', close);
}
