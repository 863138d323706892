// The lesson | terminal layout. Wide windows: a draggable divider (mouse, touch, keyboard),
// remembered per browser. Narrow windows (≤ 900 px): the terminal is a bottom sheet that the
// "Terminal ▴/▾" bar opens and closes; Run and "Skip to terminal" open it. xterm follows the
// sheet's size by itself (terminal-pane.ts observes its host). Also: Shift+Tab leaves the terminal
// (xterm keeps Tab for completion), and the lesson's "On this page" starts folded on narrow screens.

const STORAGE_KEY = 'labs.split';
const SHEET_KEY = 'labs.terminal-sheet';
const MIN = 0.25;
const MAX = 0.75;
const narrow = window.matchMedia('(max-width: 900px)');

const remember = (key: string, value: string): void => {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage unavailable: not remembered; still works.
  }
};
const recall = (key: string): string | null => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};

function setupSplitter(container: HTMLElement, splitter: HTMLElement): void {
  const apply = (fraction: number): number => {
    const clamped = Math.min(MAX, Math.max(MIN, fraction));
    container.style.setProperty('--split', `${(clamped * 100).toFixed(2)}%`);
    splitter.setAttribute('aria-valuenow', String(Math.round(clamped * 100)));
    return clamped;
  };
  // Without a remembered split the stylesheet's default stands (wider lesson on wide windows, so
  // diagrams are legible); the divider reports it.
  const saved = Number(recall(STORAGE_KEY));
  let current = saved > 0 ? apply(saved) : parseFloat(getComputedStyle(container).getPropertyValue('--split')) / 100 || 0.5;
  splitter.setAttribute('aria-valuenow', String(Math.round(current * 100)));
  splitter.setAttribute('aria-valuemin', String(MIN * 100));
  splitter.setAttribute('aria-valuemax', String(MAX * 100));
  const save = () => remember(STORAGE_KEY, current.toFixed(4));

  splitter.addEventListener('pointerdown', (down) => {
    down.preventDefault();
    splitter.setPointerCapture(down.pointerId);
    container.classList.add('is-resizing');
    const rect = container.getBoundingClientRect();
    const move = (event: PointerEvent) => {
      current = apply((event.clientX - rect.left) / rect.width);
    };
    const up = () => {
      container.classList.remove('is-resizing');
      splitter.removeEventListener('pointermove', move);
      splitter.removeEventListener('pointerup', up);
      splitter.removeEventListener('pointercancel', up);
      save();
    };
    splitter.addEventListener('pointermove', move);
    splitter.addEventListener('pointerup', up);
    splitter.addEventListener('pointercancel', up);
  });
  splitter.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    if (event.key === 'ArrowLeft') current = apply(current - step);
    else if (event.key === 'ArrowRight') current = apply(current + step);
    else return;
    event.preventDefault();
    save();
  });
}

/** The narrow-window bottom sheet: open or closed, remembered; returns the opener for Run and the skip link. */
function setupSheet(container: HTMLElement, pane: HTMLElement): (open: boolean) => void {
  const toggle = pane.querySelector<HTMLButtonElement>('[data-terminal-toggle]');
  const host = pane.querySelector<HTMLElement>('[data-terminal-host]');
  const set = (open: boolean, save = true) => {
    container.dataset.sheet = open ? 'open' : 'closed';
    toggle?.setAttribute('aria-expanded', String(open));
    if (save) remember(SHEET_KEY, open ? 'open' : 'closed');
    // Focus never stays inside a terminal that was folded away.
    if (!open && narrow.matches && host?.contains(document.activeElement)) toggle?.focus();
  };
  set(recall(SHEET_KEY) === 'open', false);
  toggle?.addEventListener('click', () => set(container.dataset.sheet !== 'open'));
  return (open) => {
    if (narrow.matches) set(open);
  };
}

/** Focus xterm's input (its textarea), opening the sheet first on narrow windows. */
function focusTerminal(openSheet: (open: boolean) => void): void {
  openSheet(true);
  const api = (window as unknown as { labsTerminal?: { focus(): void } }).labsTerminal;
  // After the sheet's layout change, so the browser scrolls nothing and xterm is visible.
  requestAnimationFrame(() => {
    if (api) api.focus();
    else document.querySelector<HTMLTextAreaElement>('[data-terminal-host] textarea')?.focus();
  });
}

/** xterm takes Tab (completion) and Shift+Tab; Shift+Tab is given back to the page so focus can leave. */
function setupTerminalKeys(pane: HTMLElement): void {
  const host = pane.querySelector<HTMLElement>('[data-terminal-host]');
  if (!host) return;
  window.addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Tab' || !event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
      if (!host.contains(event.target as Node)) return;
      // Capture phase on window: xterm's own listener never sees it; the browser moves focus back.
      event.stopPropagation();
    },
    true,
  );
  // Screen readers hear how to leave when they enter the terminal.
  host.addEventListener('focusin', (event) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'TEXTAREA' && !target.hasAttribute('aria-describedby')) target.setAttribute('aria-describedby', 'terminal-keys-long');
  });
}

const container = document.querySelector<HTMLElement>('[data-split]');
const splitter = container?.querySelector<HTMLElement>('[data-splitter]');
const pane = container?.querySelector<HTMLElement>('[data-terminal]');
if (container && splitter) setupSplitter(container, splitter);
if (container && pane) {
  const openSheet = setupSheet(container, pane);
  setupTerminalKeys(pane);
  // Run types into the terminal: on a phone, show it.
  window.addEventListener('labs:run', () => openSheet(true));
  document.querySelector('[data-skip-terminal]')?.addEventListener('click', (event) => {
    event.preventDefault();
    focusTerminal(openSheet);
  });
  document.querySelector('.skip-link[href="#lesson"]')?.addEventListener('click', () => openSheet(false));
}

// "On this page" is open on wide windows and folded on narrow ones (it would push the lesson down).
const toc = document.querySelector<HTMLDetailsElement>('[data-toc]');
if (toc && narrow.matches) toc.open = false;
