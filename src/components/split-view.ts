// The draggable divider between lesson and terminal (mouse, touch, keyboard), remembered per browser.

const STORAGE_KEY = 'labs.split';
const MIN = 0.25;
const MAX = 0.75;

function setup(container: HTMLElement, splitter: HTMLElement): void {
  const apply = (fraction: number): number => {
    const clamped = Math.min(MAX, Math.max(MIN, fraction));
    container.style.setProperty('--split', `${(clamped * 100).toFixed(2)}%`);
    splitter.setAttribute('aria-valuenow', String(Math.round(clamped * 100)));
    return clamped;
  };
  let current = 0.5;
  try {
    const saved = Number(localStorage.getItem(STORAGE_KEY));
    if (saved > 0) current = saved;
  } catch {
    // Storage unavailable: default split.
  }
  current = apply(current);
  splitter.setAttribute('aria-valuemin', String(MIN * 100));
  splitter.setAttribute('aria-valuemax', String(MAX * 100));
  const save = () => {
    try {
      localStorage.setItem(STORAGE_KEY, current.toFixed(4));
    } catch {
      // Not remembered; still works.
    }
  };

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

const container = document.querySelector<HTMLElement>('[data-split]');
const splitter = container?.querySelector<HTMLElement>('[data-splitter]');
if (container && splitter) setup(container, splitter);
