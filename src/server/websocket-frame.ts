// A complete unmasked binary WebSocket frame (RFC 6455 §5.2) in one buffer, for the terminal's
// output. ws's own sender writes a frame's header and payload as two corked socket writes, which
// cost ~40 µs more per frame on these machines: most of the time a keystroke's echo spent in our
// server (bench/terminal-bridge.ts). Writing our frames straight to the upgraded socket is safe
// beside ws because, with permessage-deflate off and no Blobs, ws writes every frame of its own
// (text, ping, close) synchronously too: frames never interleave.

const FIN_BINARY = 0x82;

export function binaryFrame(payload: Uint8Array): Buffer {
  const length = payload.length;
  if (length > 0xffffffff) throw new RangeError(`websocket frame: payload of ${length} bytes is too large`);
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_BINARY;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  frame.set(payload, headerLength);
  return frame;
}
