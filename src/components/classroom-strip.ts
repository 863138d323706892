// The learner's class strip (ClassroomStrip.astro): Raise hand (POST /api/classroom/help), the
// resume code (shown once, prominently, right after joining; then behind a button), and the live
// feed /api/classroom/learner/events: `broadcast` (a dismissable message), `watching` (an
// instructor opened their terminal, or closed it), `ended` (the class is over: the strip says so
// and stops listening). The environment's state is the header's cluster pill and banner's.
import { call, el, errorText, fill, JUST_JOINED_KEY, liveFeed, pageWords, say, spacedCode, whoAmI } from './classroom-client.ts';

const strip = document.querySelector<HTMLElement>('[data-classroom-strip]');
if (strip) start(strip);

function start(root: HTMLElement): void {
  const w = pageWords(root);
  const csrf = root.dataset.csrf ?? '';
  const $ = <T extends HTMLElement = HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
  const handButton = $<HTMLButtonElement>('[data-cr-hand]');
  const handForm = $<HTMLFormElement>('[data-cr-hand-form]');
  const handStatus = $('[data-cr-hand-status]');
  const resume = $('[data-cr-strip-resume]');
  const resumeToggle = $<HTMLButtonElement>('[data-cr-strip-resume-toggle]');

  function setResume(open: boolean): void {
    resume.hidden = !open;
    resumeToggle.setAttribute('aria-expanded', String(open));
  }

  // ---- raise hand ----
  handButton.addEventListener('click', () => {
    const open = handForm.hidden !== false;
    handForm.hidden = !open;
    handButton.setAttribute('aria-expanded', String(open));
    if (open) handForm.querySelector('input')!.focus();
  });
  $('[data-cr-hand-cancel]').addEventListener('click', () => {
    handForm.hidden = true;
    handButton.setAttribute('aria-expanded', 'false');
    handButton.focus();
  });
  handForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = handForm.querySelector('input')!;
    const submit = handForm.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    submit.disabled = true;
    void call('POST', '/api/classroom/help', { body: { message: input.value.trim() }, csrf }).then((answer) => {
      submit.disabled = false;
      if (!answer.ok) return say(handStatus, errorText(w, answer));
      handForm.hidden = true;
      input.value = '';
      handButton.setAttribute('aria-expanded', 'false');
      handButton.dataset.raised = '';
      say(handStatus, w.handRaised, 'ok');
    });
  });

  // ---- resume code ----
  resumeToggle.addEventListener('click', () => setResume(resume.hidden !== false));
  $('[data-cr-resume-ok]').addEventListener('click', () => {
    setResume(false);
    try {
      sessionStorage.removeItem(JUST_JOINED_KEY);
    } catch {
      // Nothing kept, nothing to forget.
    }
  });

  void whoAmI().then((me) => {
    if (!me || me === 'off' || me.role !== 'learner') return;
    if (me.displayName) $('[data-cr-strip-name]').textContent = me.displayName;
    if (me.cohort) $('[data-cr-strip-class]').textContent = me.cohort.name;
    if (!me.resumeCode) return;
    // The code itself never breaks across lines.
    const [before = '', after = ''] = w.resumeNote.split('{code}');
    $('[data-cr-resume-line]').replaceChildren(before, el('span', 'cr-code', spacedCode(me.resumeCode)), after);
    $('[data-cr-resume-how]').textContent = fill(w.resumeHow, { url: `${location.origin}/join` });
    resumeToggle.hidden = false;
    let justJoined = false;
    try {
      justJoined = sessionStorage.getItem(JUST_JOINED_KEY) !== null;
    } catch {
      // No storage: the code stays behind its button.
    }
    if (justJoined) setResume(true);
  });

  // ---- the live feed ----
  function broadcast(message: string, at: string | undefined): void {
    const box = el('div', 'cr-strip-row cr-broadcast');
    box.setAttribute('role', 'alert');
    const text = el('p');
    text.append(el('strong', undefined, `${w.fromInstructor}${at ? ` (${new Date(at).toLocaleTimeString(document.documentElement.lang, { timeStyle: 'short' })})` : ''}: `), el('span', 'cr-broadcast-text', message));
    const close = el('button', 'icon-button cr-broadcast-close');
    close.type = 'button';
    close.setAttribute('aria-label', w.close);
    close.title = w.close;
    close.textContent = '×';
    close.addEventListener('click', () => box.remove());
    box.append(text, close);
    $('[data-cr-strip-messages]').prepend(box);
  }

  const feed = liveFeed(
    '/api/classroom/learner/events',
    {
      broadcast: (data) => broadcast(String(data.message ?? ''), typeof data.at === 'string' ? data.at : undefined),
      watching: (data) => {
        $('[data-cr-strip-watching]').hidden = data.watching === false;
      },
      // The instructor pressed "Helped": the hand is down again.
      'help-dismissed': () => {
        delete handButton.dataset.raised;
        say(handStatus, '');
      },
      ended: () => {
        finish(w.classEnded);
        showEnded();
        feed.close();
        // The terminal stops too (terminal-pane.ts), even if its socket was down when the class ended.
        window.dispatchEvent(new CustomEvent('labs:class-ended'));
      },
    },
    (state) => {
      root.dataset.live = state;
    },
    // Given up only when the server no longer takes this learner (signed out, class over).
    async () => {
      const me = await whoAmI();
      const still = me !== undefined && me !== 'off' && me.role === 'learner';
      if (!still) finish(w.signedOut, { href: '/join', label: w.joinTitle });
      return still;
    },
  );

  /** The header's pill says the class ended (not a green "ready" over a closed shell), and keeps saying it. */
  function showEnded(): void {
    document.documentElement.dataset.classEnded = '';
    const mark = () => {
      const pill = document.querySelector<HTMLElement>('[data-cluster-status]');
      const label = pill?.querySelector<HTMLElement>('[data-cluster-state]');
      if (!pill || !label) return;
      pill.dataset.state = 'ended';
      label.textContent = w.envEnded;
      pill.title = w.classEnded;
    };
    mark();
    window.addEventListener('labs:cluster', () => setTimeout(mark));
    document.querySelector<HTMLElement>('[data-cluster-banner]')?.setAttribute('hidden', '');
  }

  function finish(text: string, link?: { href: string; label: string }): void {
    if (root.dataset.ended !== undefined) return;
    root.dataset.ended = '';
    const line = $('[data-cr-strip-ended]');
    line.replaceChildren(text);
    if (link) line.append(' ', Object.assign(el('a', undefined, link.label), { href: link.href }));
    line.hidden = false;
    handButton.disabled = true;
    handForm.hidden = true;
    $('[data-cr-strip-watching]').hidden = true;
  }
}
