// A watcher is told the size of the learner's terminal (issue #23): the screen it replays was laid
// out for that size, so it must draw at it. Real bash shells behind a real WebSocket server.
import { afterEach, describe, expect, it } from 'vitest';
import { classroomAuthorizer, openClient, startBridge, until, type Bridge, type Client } from './terminal-bridge-harness.ts';

const bridges: Bridge[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const bridge of bridges.splice(0)) await bridge.close();
});

const sizes = (client: Client) => client.controls.filter((c) => c.t === 'size').map((c) => (c.t === 'size' ? `${c.cols}x${c.rows}` : ''));

describe("a watcher and the learner's terminal size", () => {
  it('gets the size after its ready, and every change the learner makes', async () => {
    const bridge = await startBridge({ authorize: classroomAuthorizer({ watchable: new Set(['learner:phone']) }) });
    bridges.push(bridge);
    const learner = await openClient(bridge, 'as=learner:phone', { hello: { cols: 44, rows: 20 } });
    clients.push(learner);
    await learner.ready();
    const watcher = await openClient(bridge, 'watch=learner:phone', { ack: false, hello: { cols: 110, rows: 30 } });
    clients.push(watcher);
    await until(() => sizes(watcher).length === 1, 'the size');
    expect(watcher.controls.map((c) => c.t).slice(0, 2)).toEqual(['ready', 'size']);
    expect(sizes(watcher)).toEqual(['44x20']);
    learner.sendControl({ t: 'resize', cols: 44, rows: 27 });
    learner.sendControl({ t: 'resize', cols: 44, rows: 27 });
    await until(() => sizes(watcher).length === 2, 'the new size');
    expect(sizes(watcher)).toEqual(['44x20', '44x27']);
    // Its own resize is a watcher's, ignored: the learner's shell keeps its size.
    watcher.sendControl({ t: 'resize', cols: 110, rows: 30 });
    learner.type('stty size');
    await learner.waitFor('27 44');
  });
});
