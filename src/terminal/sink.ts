// Where a session's output goes, and scrollback replayed into it. Both the attached browser and
// read-only watchers are sinks, and both are sent the ring's scrollback the same way, so this is
// shared by session.ts and session-watchers.ts.
import { OUTPUT_BATCH_BYTES, encodeOutputChunks, type ServerControl } from './protocol.ts';
import type { Replay } from './output-ring.ts';

/** Where a session's output goes: the WebSocket in production, a recorder in tests. */
export interface TerminalSink {
  sendOutput(frame: Uint8Array): void;
  sendControl(message: ServerControl): void;
  close(code: number, reason: string): void;
  /** Bytes written but not yet taken by the network (a socket's writableLength); watchers only. */
  backlog?(): number;
}

/** Output read from the ring, in frames of up to OUTPUT_BATCH_BYTES (a flood leaves ~1,000 small chunks). */
export function sendReplay(sink: TerminalSink, replay: Replay): void {
  let offset = replay.seq;
  for (let i = 0; i < replay.chunks.length; ) {
    const batch: Uint8Array[] = [];
    let bytes = 0;
    while (i < replay.chunks.length && (batch.length === 0 || bytes + replay.chunks[i]!.length <= OUTPUT_BATCH_BYTES)) {
      bytes += replay.chunks[i]!.length;
      batch.push(replay.chunks[i++]!);
    }
    sink.sendOutput(encodeOutputChunks(offset, batch));
    offset += bytes;
  }
}
