// An instructor's read-only view draws the learner's terminal at the learner's size (the server
// says it: a `size` message), not at the size of the instructor's window: what tmux sends is laid
// out for the learner's screen, and a phone's 44 columns drawn 110 wide leave `kubectl get pods -o
// wide` in fragments (issue #23). A screen wider than the view is drawn smaller (down to a font
// that still reads) and then scrolls sideways; a narrow one stays at the normal size, framed.
import type { Terminal } from '@xterm/xterm';
import type { TerminalSize } from '../terminal/protocol.ts';

const MIN_FONT = 8;

export type WatchedScreen = {
  /** The learner's terminal is this size now. */
  resize(size: TerminalSize): void;
  /** The view changed size: fit the learner's screen into it again. */
  refit(): void;
  size(): TerminalSize | undefined;
};

export function watchedScreen(term: Terminal, pane: HTMLElement, host: HTMLElement, fontSize: number): WatchedScreen {
  let learner: TerminalSize | undefined;
  host.style.overflow = 'auto';
  // Narrow windows fold a lesson's terminal into a bottom sheet (global.css); the watch page has
  // no lesson to fold it under: its terminal fills its box at every width, with its title.
  pane.style.height = '100%';
  pane.querySelector<HTMLElement>('[data-terminal-toggle]')?.style.setProperty('display', 'none');
  pane.querySelector<HTMLElement>('.terminal-title')?.style.setProperty('display', 'inline-flex');
  // The learner's screen edge, so the empty space beside a narrow screen reads as outside it.
  const screen = () => host.querySelector<HTMLElement>('.xterm-screen');
  screen()?.style.setProperty('outline', '1px dashed color-mix(in srgb, currentColor 30%, transparent)');
  screen()?.style.setProperty('outline-offset', '3px');

  const refit = () => {
    if (!learner) return;
    const drawn = screen()?.getBoundingClientRect();
    if (!drawn?.width) return;
    // Cell width scales with the font: the size at which the learner's columns fill the view
    // (from the screen's left edge, inside xterm's padding, to the view's right, less the frame).
    const room = host.getBoundingClientRect().right - drawn.left - 6;
    const fits = (term.options.fontSize ?? fontSize) * (room / drawn.width);
    const next = Math.max(MIN_FONT, Math.min(fontSize, Math.floor(fits * 2) / 2));
    if (next !== term.options.fontSize) term.options.fontSize = next;
  };

  // xterm draws a new size a frame or two later: fit when the drawn screen changes size.
  const drawnScreen = screen();
  if (drawnScreen) new ResizeObserver(refit).observe(drawnScreen);

  return {
    resize(size) {
      learner = size;
      if (term.cols !== size.cols || term.rows !== size.rows) term.resize(size.cols, size.rows);
      requestAnimationFrame(refit);
    },
    refit,
    size: () => learner,
  };
}
