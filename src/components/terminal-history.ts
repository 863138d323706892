// The wheel, a swipe and Shift+PageUp/PageDown over a classroom sandbox's terminal reach tmux's
// history (src/terminal/tmux-scrollback.ts): once the server says the shell is tmux with history
// keys, they are sent instead of what xterm does in the alternate screen (arrow keys, which at a
// prompt recall old commands). Anything typed while scrolled back first leaves the history, as a
// terminal's own scrollback does. Programs in the alternate screen inside tmux (less, vim) still
// get arrow keys: tmux.conf decides that, it knows which screen the program is in.
import type { Terminal } from '@xterm/xterm';
import { HISTORY_KEYS } from '../terminal/tmux-scrollback.ts';

export type TmuxHistory = {
  /** The server said (again) whether this shell is tmux with history keys. */
  setEnabled(enabled: boolean): void;
  /** Call before sending what the learner typed (or a Run command): leaves the history first. */
  beforeInput(): void;
};

export function tmuxHistory(term: Terminal, host: HTMLElement, send: (keys: string) => void): TmuxHistory {
  let enabled = false;
  let scrolledBack = false;
  /** Part of a line the wheel or a finger moved, not sent yet. */
  let partLines = 0;
  const active = () => enabled && term.buffer.active.type === 'alternate';
  const cellHeight = () => {
    const screen = host.querySelector<HTMLElement>('.xterm-screen');
    return Math.max(1, (screen?.clientHeight ?? host.clientHeight) / term.rows);
  };
  /** Positive: back into the history (older lines); negative: toward the prompt. */
  const scroll = (lines: number) => {
    partLines += lines;
    const whole = Math.trunc(partLines);
    if (whole === 0) return;
    partLines -= whole;
    if (whole > 0) scrolledBack = true;
    send((whole > 0 ? HISTORY_KEYS.lineUp : HISTORY_KEYS.lineDown).repeat(Math.min(Math.abs(whole), 500)));
  };

  // Caught before xterm sees it (capture): its view must not move either (its alternate screen
  // can hold a few rows above the screen after tmux drew a taller one).
  host.addEventListener('wheel', (event) => {
    if (!active() || event.deltaY === 0) return;
    const lines = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? event.deltaY : event.deltaMode === WheelEvent.DOM_DELTA_PAGE ? event.deltaY * term.rows : event.deltaY / cellHeight();
    scroll(-lines);
    event.preventDefault();
    event.stopPropagation();
  }, { capture: true, passive: false });

  term.attachCustomKeyEventHandler((event) => {
    if (!active() || !event.shiftKey || (event.key !== 'PageUp' && event.key !== 'PageDown')) return true;
    if (event.type === 'keydown') {
      if (event.key === 'PageUp') scrolledBack = true;
      send(event.key === 'PageUp' ? HISTORY_KEYS.pageUp : HISTORY_KEYS.pageDown);
    }
    event.preventDefault();
    return false;
  });

  // A swipe: the finger drags the text, so moving down shows older lines.
  let touchY: number | undefined;
  host.addEventListener('touchstart', (event) => {
    touchY = active() && event.touches.length === 1 ? event.touches[0]!.clientY : undefined;
  }, { capture: true, passive: true });
  host.addEventListener('touchmove', (event) => {
    if (touchY === undefined || !active() || event.touches.length !== 1) return;
    const y = event.touches[0]!.clientY;
    scroll((y - touchY) / cellHeight());
    touchY = y;
    event.preventDefault();
    event.stopPropagation();
  }, { capture: true, passive: false });
  host.addEventListener('touchend', () => (touchY = undefined), { capture: true });

  return {
    setEnabled(value) {
      enabled = value;
      // A resumed terminal may find tmux still scrolled back: the first key leaves that too.
      scrolledBack = value;
      partLines = 0;
    },
    beforeInput() {
      if (!scrolledBack) return;
      scrolledBack = false;
      send(HISTORY_KEYS.leave);
    },
  };
}
