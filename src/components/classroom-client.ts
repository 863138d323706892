// Shared by classroom mode's pages (the instructor's classes and dashboard, the join page, the
// learner's class strip): JSON calls to /api/classroom/ with the session's CSRF token, the page's
// words, error lines in the page's language, a confirmation dialog, and live feeds (SSE) that
// come back by themselves after a drop. Everything a learner typed goes in as text, never HTML.
import { fill } from './cluster-state.ts';
import type { ClassroomWords } from './ui-strings.ts';

export { fill };

/** The page's classroom words (a JSON data attribute the page renders). */
export function pageWords(root: HTMLElement): ClassroomWords {
  return JSON.parse(root.dataset.classroomWords ?? '{}') as ClassroomWords;
}

export const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

/** sessionStorage: the resume code of a learner who just joined, for the strip to show once. */
export const JUST_JOINED_KEY = 'labs.classroom.justJoined';

export type EnvironmentStatus = { state: 'pending' | 'creating' | 'ready' | 'frozen' | 'error' | 'gone'; message: string };
export type Cohort = { id: number; name: string; joinCode: string; labs: number[]; capacity: number; createdAt: string; endedAt?: string };
export type Me = {
  role: 'instructor' | 'learner';
  csrf: string;
  displayName?: string;
  resumeCode?: string;
  cohort?: { name: string; labs: number[] };
  environment?: EnvironmentStatus;
};

export type Answer<T = Record<string, unknown>> = {
  ok: boolean;
  /** 0: the request never got an answer (network down, server stopped). */
  status: number;
  body: Partial<T> & { error?: string };
  /** The server answered, but not from the classroom API (solo mode has none). */
  notClassroom: boolean;
};

/** A JSON call to the classroom API; never throws. State changes carry the CSRF token. */
export async function call<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, options: { body?: unknown; csrf?: string } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'POST') headers['content-type'] = 'application/json';
  if (options.csrf) headers['x-csrf-token'] = options.csrf;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: method === 'POST' ? JSON.stringify(options.body ?? {}) : undefined, cache: 'no-store', credentials: 'same-origin' });
  } catch {
    return { ok: false, status: 0, body: {}, notClassroom: false };
  }
  const json = /^application\/json\b/.test(response.headers.get('content-type') ?? '');
  const body = json ? ((await response.json().catch(() => ({}))) as Answer<T>['body']) : {};
  return { ok: response.ok, status: response.status, body, notClassroom: !json && response.status === 404 };
}

/** Who this browser is in the class; undefined when signed out; 'off' when the server runs no class. */
export async function whoAmI(): Promise<Me | undefined | 'off'> {
  const answer = await call<Me>('GET', '/api/classroom/me');
  if (answer.notClassroom) return 'off';
  return answer.ok ? (answer.body as Me) : undefined;
}

/**
 * The line to show for a failed call: `specific` names what this call's statuses mean (a wrong
 * code, a full class); the rest (network, rate limit, anything else) is said the same everywhere.
 */
export function errorText(words: ClassroomWords, answer: Answer, specific: (status: number, message: string) => string | undefined = () => undefined): string {
  if (answer.status === 0) return words.networkError;
  if (answer.notClassroom) return words.notClassroom;
  const message = answer.body.error ?? '';
  if (answer.status === 429) return fill(words.rateLimited, { seconds: /(\d+)\s*s\b/.exec(message)?.[1] ?? '60' });
  return specific(answer.status, message) ?? (message ? fill(words.failed, { message }) : fill(words.refused, { status: answer.status }));
}

/** "ABC 234" (join codes), "ABCDE 23456" (resume codes): easier to read aloud and copy by hand. */
export const spacedCode = (code: string): string => (code.length >= 8 ? code.match(/.{1,5}/g) : code.match(/.{1,3}/g))?.join(' ') ?? code;

/** Where to go after signing in: a path on this site only. */
export const safeNext = (next: string | null): string | undefined => (next && /^\/(?![/\\])/.test(next) ? next : undefined);

export function minutesAgo(words: ClassroomWords, iso: string, now = Date.now()): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  return minutes < 1 ? words.justNow : fill(words.minutesAgo, { minutes });
}

/** Shows a status or error line under a form (role=alert elements are read out when filled). */
export function say(target: HTMLElement | null, text: string, kind: 'error' | 'ok' = 'error'): void {
  if (!target) return;
  target.textContent = text;
  target.dataset.kind = kind;
  target.hidden = text === '';
}

let dialog: HTMLDialogElement | undefined;

/**
 * A modal "are you sure?": resolves true on the confirm button, false on cancel or Escape.
 * `danger` (the default: deleting, ending) has a red confirm and Cancel focused; `neutral`
 * (sending a message) a primary one, focused, so Enter goes ahead.
 */
export function confirmAction(words: ClassroomWords, text: string, detail?: string, confirmLabel = words.confirm, tone: 'danger' | 'neutral' = 'danger'): Promise<boolean> {
  if (!dialog) {
    dialog = el('dialog', 'cr-dialog');
    dialog.setAttribute('aria-labelledby', 'cr-dialog-text');
    const form = el('form');
    form.method = 'dialog';
    const question = el('p', 'cr-dialog-text');
    question.id = 'cr-dialog-text';
    const quote = el('blockquote', 'cr-dialog-detail');
    const buttons = el('div', 'cr-dialog-buttons');
    const cancel = el('button', 'button', words.cancel);
    cancel.value = 'cancel';
    const yes = el('button', 'button');
    yes.value = 'yes';
    yes.dataset.confirmYes = '';
    buttons.append(cancel, yes);
    form.append(question, quote, buttons);
    dialog.append(form);
    document.body.append(dialog);
  }
  const box = dialog;
  box.querySelector('.cr-dialog-text')!.textContent = text;
  const quote = box.querySelector<HTMLElement>('.cr-dialog-detail')!;
  quote.textContent = detail ?? '';
  quote.hidden = !detail;
  const yes = box.querySelector<HTMLButtonElement>('[data-confirm-yes]')!;
  yes.textContent = confirmLabel;
  yes.className = tone === 'danger' ? 'button danger' : 'button primary';
  box.returnValue = '';
  box.showModal();
  (tone === 'danger' ? box.querySelector<HTMLButtonElement>('button[value="cancel"]')! : yes).focus();
  return new Promise((resolve) => box.addEventListener('close', () => resolve(box.returnValue === 'yes'), { once: true }));
}

export type LiveState = 'live' | 'reconnecting';

/**
 * An SSE feed that stays up: the browser retries a dropped connection by itself; when it gives
 * up (the server answered with an error, e.g. while restarting), a new one is opened after a
 * growing pause — unless `stillWanted` says the feed is pointless now (signed out, class over).
 */
export function liveFeed(
  url: string,
  handlers: Record<string, (data: Record<string, unknown>) => void>,
  onState: (state: LiveState) => void,
  stillWanted: () => Promise<boolean> = async () => true,
): { close(): void } {
  let source: EventSource | undefined;
  let delay = 1000;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    if (closed) return;
    source = new EventSource(url);
    source.addEventListener('open', () => {
      delay = 1000;
      onState('live');
    });
    for (const [type, handle] of Object.entries(handlers)) {
      source.addEventListener(type, (event) => {
        try {
          handle(JSON.parse((event as MessageEvent<string>).data) as Record<string, unknown>);
        } catch {
          // A malformed event is skipped; the next snapshot carries the whole state again.
        }
      });
    }
    source.addEventListener('error', () => {
      onState('reconnecting');
      if (source?.readyState !== EventSource.CLOSED) return;
      timer = setTimeout(() => {
        void stillWanted().then((wanted) => (wanted ? open() : undefined));
      }, delay);
      delay = Math.min(delay * 2, 15_000);
    });
  };
  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}
