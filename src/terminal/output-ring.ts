// A bounded buffer of the shell's recent output, addressed by stream offset, so a reloaded tab
// or a dropped socket can ask "everything since byte N" and get the same scrollback back.

export type Replay = {
  /** Offset of the first replayed byte (later than asked when the buffer had moved on). */
  seq: number;
  chunks: Uint8Array[];
  /** The requested offset was older than what the buffer still holds. */
  truncated: boolean;
};

export class OutputRing {
  readonly capacity: number;
  private chunks: Uint8Array[] = [];
  private firstOffset = 0;
  private size = 0;

  constructor(capacityBytes: number) {
    if (!(capacityBytes > 0)) throw new Error(`output ring: capacity must be positive, got ${capacityBytes}`);
    this.capacity = capacityBytes;
  }

  /** Offset of the oldest byte still held. */
  get start(): number {
    return this.firstOffset;
  }

  /** Offset just past the newest byte (total bytes ever appended). */
  get end(): number {
    return this.firstOffset + this.size;
  }

  /** Appends output and returns the offset of its first byte. */
  append(bytes: Uint8Array): number {
    const at = this.end;
    if (bytes.length === 0) return at;
    // Copy: node-pty may reuse its buffers.
    this.chunks.push(new Uint8Array(bytes)); // a copy (Buffer.slice would be a view)
    this.size += bytes.length;
    this.evict();
    return at;
  }

  readFrom(seq: number): Replay {
    const end = this.end;
    if (seq > end) seq = end;
    const truncated = seq < this.firstOffset;
    let offset = this.firstOffset;
    const from = Math.max(seq, this.firstOffset);
    const chunks: Uint8Array[] = [];
    for (const chunk of this.chunks) {
      const chunkEnd = offset + chunk.length;
      if (chunkEnd > from) chunks.push(from > offset ? chunk.subarray(from - offset) : chunk);
      offset = chunkEnd;
    }
    return { seq: from, chunks, truncated };
  }

  private evict(): void {
    while (this.size > this.capacity && this.chunks.length > 0) {
      const oldest = this.chunks[0]!;
      const excess = this.size - this.capacity;
      if (oldest.length <= excess) {
        this.chunks.shift();
        this.size -= oldest.length;
        this.firstOffset += oldest.length;
      } else {
        this.chunks[0] = oldest.subarray(excess);
        this.size -= excess;
        this.firstOffset += excess;
      }
    }
  }
}
