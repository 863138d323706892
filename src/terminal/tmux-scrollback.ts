// Scrolling back in a classroom sandbox's tmux (issue #23). tmux draws in the alternate screen,
// where xterm keeps no scrollback and turns the mouse wheel into arrow keys: at a prompt they
// recall old commands, which Enter would run again. The toolbox's tmux.conf binds private keys
// to its history (copy mode) instead, and announces them with a window title; the server takes the
// title out of the output and tells the browser, which then sends these keys for the wheel, a
// swipe and Shift+PageUp/PageDown (and HISTORY_KEYS.leave before anything typed while scrolled
// back). A sandbox made from an older image announces nothing: its terminal keeps xterm's ways.
// Shared by the server and the browser: no Node modules.

/** The keys tmux.conf binds (user-keys[0..4]): one line up or down, back to the prompt, a page up or down. */
export const HISTORY_KEYS = {
  lineUp: '\x1b[9901~',
  lineDown: '\x1b[9902~',
  leave: '\x1b[9903~',
  pageUp: '\x1b[9904~',
  pageDown: '\x1b[9905~',
} as const;

/** tmux.conf's set-titles-string, as tmux sends it to each client when it attaches (OSC 0). */
const ANNOUNCEMENT = new Uint8Array([...'\x1b]0;labs:tmux-scrollback'].map((c) => c.charCodeAt(0)));
const ESC = 0x1b;
const BEL = 0x07;
const BACKSLASH = 0x5c;

/**
 * Takes tmux's announcement (ending in BEL or ESC \) out of a pty's output, also when a read splits
 * it; everything else passes unchanged (the same array when there was nothing to take out). A
 * prefix held at the end of one chunk that turns out to be something else goes out with the next.
 */
export class ScrollbackAnnouncement {
  /** The start of an announcement at the end of the last chunk, not yet output. */
  private held: Uint8Array | undefined;
  private readonly onAnnounced: () => void;

  constructor(onAnnounced: () => void) {
    this.onAnnounced = onAnnounced;
  }

  filter(chunk: Uint8Array): Uint8Array {
    const data = this.held ? concat([this.held, chunk]) : chunk;
    this.held = undefined;
    const kept: Uint8Array[] = [];
    let from = 0;
    for (let at = data.indexOf(ESC); at !== -1; at = data.indexOf(ESC, at + 1)) {
      const length = announcementAt(data, at);
      if (length === 'partial') {
        this.held = data.slice(at);
        kept.push(data.subarray(from, at));
        from = data.length;
        break;
      }
      if (length > 0) {
        kept.push(data.subarray(from, at));
        from = at + length;
        at = from - 1;
        this.announced();
      }
    }
    if (from === 0) return data;
    kept.push(data.subarray(from));
    return concat(kept);
  }

  private announced(): void {
    try {
      this.onAnnounced();
    } catch {
      // A listener's failure must never break the shell's output.
    }
  }
}

/** The announcement's length if it starts at `at`, 'partial' if the data ends inside it, else 0. */
function announcementAt(data: Uint8Array, at: number): number | 'partial' {
  for (let i = 0; i < ANNOUNCEMENT.length; i++) {
    if (at + i >= data.length) return 'partial';
    if (data[at + i] !== ANNOUNCEMENT[i]) return 0;
  }
  const end = at + ANNOUNCEMENT.length;
  if (end >= data.length) return 'partial';
  if (data[end] === BEL) return ANNOUNCEMENT.length + 1;
  if (data[end] !== ESC) return 0;
  if (end + 1 >= data.length) return 'partial';
  return data[end + 1] === BACKSLASH ? ANNOUNCEMENT.length + 2 : 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
