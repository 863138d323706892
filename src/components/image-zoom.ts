// Lesson diagrams are drawn at 960 px wide and get squeezed in a narrow lesson pane: each one
// becomes a button that opens it in a modal <dialog> as large as the window allows. The native
// dialog gives Esc to close, focus kept inside while open, and focus back to the button after.

const dialog = document.querySelector<HTMLDialogElement>('[data-image-zoom]');
const image = dialog?.querySelector<HTMLImageElement>('[data-image-zoom-image]');
const caption = dialog?.querySelector<HTMLElement>('[data-image-zoom-caption]');

let opener: HTMLElement | null = null;

function open(source: HTMLImageElement): void {
  if (!dialog || !image || !caption) return;
  opener = source.closest('button');
  // The aspect ratio of the picture as laid out (SVGs with only a viewBox report no natural size).
  const ratio = source.clientWidth > 0 && source.clientHeight > 0 ? source.clientWidth / source.clientHeight : 2;
  dialog.style.setProperty('--image-ratio', ratio.toFixed(4));
  image.src = source.currentSrc || source.src;
  image.alt = source.alt;
  caption.textContent = source.alt;
  dialog.showModal();
}

if (dialog && image) {
  const enlarge = dialog.dataset.textEnlarge ?? 'Enlarge';
  for (const source of document.querySelectorAll<HTMLImageElement>('.prose img')) {
    if (source.closest('a, button')) continue; // already interactive
    const trigger = document.createElement('button');
    trigger.type = 'button';
    trigger.className = 'zoom-trigger';
    trigger.setAttribute('aria-haspopup', 'dialog');
    trigger.title = enlarge;
    trigger.setAttribute('aria-label', source.alt ? `${enlarge}: ${source.alt}` : enlarge);
    source.replaceWith(trigger);
    trigger.append(source);
    trigger.insertAdjacentHTML(
      'beforeend',
      '<span class="zoom-badge" aria-hidden="true"><svg viewBox="0 0 24 24"><circle cx="10.5" cy="10.5" r="6" fill="none" stroke="currentColor" stroke-width="2"/><path d="m15 15 5 5M10.5 7.5v6M7.5 10.5h6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg></span>',
    );
    trigger.addEventListener('click', () => open(source));
  }
  // Close on the close button, on a click anywhere outside the figure's caption text, and on Esc (native).
  dialog.addEventListener('click', (event) => {
    if (!(event.target as Element).closest('figcaption')) dialog.close();
  });
  dialog.addEventListener('close', () => {
    image.removeAttribute('src');
    opener?.focus({ preventScroll: true });
  });
}
