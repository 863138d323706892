// Copy and Run on lesson code blocks (the buttons come from the Markdown build; see
// src/content/code-block-transformer.ts). Run hands the command to the terminal pane.

function codeOf(button: Element): string {
  const block = button.closest('.code-block');
  const code = block?.querySelector('pre code') ?? block?.querySelector('pre');
  return (code?.textContent ?? '').replace(/\n$/, '');
}

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

function flash(button: HTMLElement, state: string): void {
  button.dataset.flash = state;
  setTimeout(() => delete button.dataset.flash, 1400);
}

/** Says what a button did to screen readers (the page's live region, in its language). */
const status = document.querySelector<HTMLElement>('[data-code-status]');
let clearStatus = 0;
function announce(text: string | undefined): void {
  if (!status || !text) return;
  // Emptied first, so the same words twice in a row are announced twice.
  status.textContent = '';
  clearTimeout(clearStatus);
  requestAnimationFrame(() => {
    status.textContent = text;
    clearStatus = window.setTimeout(() => (status.textContent = ''), 4000);
  });
}

document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest<HTMLElement>('.code-block [data-action]');
  if (!button) return;
  const command = codeOf(button);
  if (button.dataset.action === 'copy') {
    void copyText(command).then(() => {
      flash(button, 'done');
      announce(status?.dataset.textCopied);
    });
  } else if (button.dataset.action === 'run') {
    window.dispatchEvent(new CustomEvent('labs:run', { detail: { command } }));
    flash(button, 'done');
    announce(status?.dataset.textSent);
  }
});
