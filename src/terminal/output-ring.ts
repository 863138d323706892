// A bounded buffer of the shell's recent output, addressed by stream offset, so a reloaded tab
// or a dropped socket can ask "everything since byte N" and get the same scrollback back.
// Appends and evictions are O(1) (a head index, not Array#shift), and a read near the end
// touches only the chunks it returns: during a flood the ring holds ~1,000 chunks.

export type Replay = {
  /** Offset of the first replayed byte (later than asked when the buffer had moved on). */
  seq: number;
  chunks: Uint8Array[];
  /** The requested offset was older than what the buffer still holds. */
  truncated: boolean;
};

export class OutputRing {
  readonly capacity: number;
  /** Held chunks are chunks[head..]; the dead prefix is dropped once it outgrows the live part. */
  private chunks: Uint8Array[] = [];
  private head = 0;
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

  /**
   * Appends a copy of `bytes` (node-pty may reuse its buffers) and returns that copy, which the
   * ring never modifies: the caller may send it as is.
   */
  append(bytes: Uint8Array): Uint8Array {
    const copy = new Uint8Array(bytes);
    if (copy.length === 0) return copy;
    this.chunks.push(copy);
    this.size += copy.length;
    this.evict();
    return copy;
  }

  readFrom(seq: number): Replay {
    const end = this.end;
    const from = Math.min(Math.max(seq, this.firstOffset), end);
    const truncated = seq < this.firstOffset;
    // Walk back from the newest chunk to the one holding `from`.
    const chunks: Uint8Array[] = [];
    let offset = end;
    for (let i = this.chunks.length - 1; i >= this.head && offset > from; i--) {
      const chunk = this.chunks[i]!;
      offset -= chunk.length;
      chunks.push(from > offset ? chunk.subarray(from - offset) : chunk);
    }
    chunks.reverse();
    return { seq: from, chunks, truncated };
  }

  private evict(): void {
    while (this.size > this.capacity && this.head < this.chunks.length) {
      const oldest = this.chunks[this.head]!;
      const excess = this.size - this.capacity;
      if (oldest.length <= excess) {
        this.head++;
        this.size -= oldest.length;
        this.firstOffset += oldest.length;
      } else {
        this.chunks[this.head] = oldest.subarray(excess);
        this.size -= excess;
        this.firstOffset += excess;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
