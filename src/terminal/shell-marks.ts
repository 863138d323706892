// Command marks from the learner's shell (shell integration, like VS Code's OSC 633;E): after each
// command, the toolbox's bash (kind/images/toolbox/profile.sh) prints
//   ESC ] 6973;labs-command;<base64 of the command line> BEL   (or ST, ESC \)
// and tmux passes it through to us. ShellMarks takes these out of a pty's output before the
// scrollback ring, the browser or a watcher sees any of it, and reports each command line.
//
// A mark may be split across reads at any byte. What is not a well-formed mark is never kept
// waiting: a partial prefix that turns out to be something else goes out as output, and a mark
// whose payload meets a byte outside base64, or grows past MAX_MARK_BYTES, is dropped, output
// continuing from that byte. Anyone who can print can forge a mark: the line is only a hint of
// what the shell's owner ran; who the owner is comes from the session, never from the mark.

const PREFIX_TEXT = '\x1b]6973;labs-command;';
/** Its own memory (not Buffer's pool): filter() tells the chunk's own bytes apart by their buffer. */
const PREFIX = new Uint8Array(Buffer.from(PREFIX_TEXT, 'latin1'));
const ESC = 0x1b;
const BEL = 0x07;
const BACKSLASH = 0x5c;
/** A whole mark (prefix, payload, terminator) longer than this is dropped; profile.sh cuts lines to 1,500 bytes. */
export const MAX_MARK_BYTES = 2048;
const MAX_PAYLOAD = MAX_MARK_BYTES - PREFIX.length - 2;

const isBase64 = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2f || b === 0x3d;

/** The mark as the shell prints it (tests, and documentation of the format). */
export function encodeMark(line: string, terminator: 'bel' | 'st' = 'bel'): string {
  return `${PREFIX_TEXT}${Buffer.from(line).toString('base64')}${terminator === 'bel' ? '\x07' : '\x1b\\'}`;
}

type State = 'text' | 'prefix' | 'payload' | 'payload-esc';

export class ShellMarks {
  private state: State = 'text';
  /** Bytes of PREFIX matched so far (state 'prefix'). */
  private matched = 0;
  private payload: number[] = [];
  private readonly onMark: (line: string) => void;

  constructor(onMark: (line: string) => void) {
    this.onMark = onMark;
  }

  /** The chunk without marks (the same array when there were none and nothing was held). */
  filter(chunk: Uint8Array): Uint8Array {
    if (this.state === 'text' && chunk.indexOf(ESC) === -1) return chunk;
    const parts: Uint8Array[] = [];
    let textFrom = 0;
    let i = 0;
    while (i < chunk.length) {
      const byte = chunk[i]!;
      switch (this.state) {
        case 'text': {
          const esc = chunk.indexOf(ESC, i);
          if (esc === -1) {
            i = chunk.length;
            break;
          }
          if (esc > textFrom) parts.push(chunk.subarray(textFrom, esc));
          this.state = 'prefix';
          this.matched = 1;
          i = esc + 1;
          textFrom = i;
          break;
        }
        case 'prefix':
          if (byte === PREFIX[this.matched]) {
            this.matched++;
            i++;
            textFrom = i;
            if (this.matched === PREFIX.length) {
              this.state = 'payload';
              this.payload = [];
            }
          } else {
            // Not a mark: what was held is output, and this byte is looked at afresh.
            parts.push(PREFIX.subarray(0, this.matched));
            this.state = 'text';
            textFrom = i;
          }
          break;
        case 'payload':
          if (byte === BEL) {
            this.complete();
            i++;
            textFrom = i;
          } else if (byte === ESC) {
            this.state = 'payload-esc';
            i++;
            textFrom = i;
          } else if (isBase64(byte) && this.payload.length < MAX_PAYLOAD) {
            this.payload.push(byte);
            i++;
            textFrom = i;
          } else {
            // Malformed or oversize: the mark is dropped; output resumes with this byte.
            this.drop();
            textFrom = i;
          }
          break;
        case 'payload-esc':
          if (byte === BACKSLASH) {
            this.complete();
            i++;
            textFrom = i;
          } else {
            // The ESC starts whatever comes next, not the end of this (dropped) mark.
            this.drop();
            this.state = 'prefix';
            this.matched = 1;
            textFrom = i;
          }
          break;
      }
    }
    if (this.state === 'text' && textFrom < chunk.length) parts.push(chunk.subarray(textFrom));
    if (parts.length === 1 && parts[0]!.buffer === chunk.buffer && parts[0]!.length === chunk.length) return chunk;
    return Buffer.concat(parts);
  }

  private complete(): void {
    const line = Buffer.from(String.fromCharCode(...this.payload), 'base64').toString('utf8');
    this.drop();
    if (line === '') return;
    try {
      this.onMark(line);
    } catch {
      // A listener's failure must never break the shell's output.
    }
  }

  private drop(): void {
    this.state = 'text';
    this.payload = [];
  }
}
