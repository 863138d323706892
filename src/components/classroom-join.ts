// The join page: POST /api/classroom/join {code, name, lang} (or /resume {code, lang}: the
// learner's sandbox speaks the page's language), every refusal said plainly in the page's
// language, then on to the class's first lab. The resume code is kept for
// the lesson page's class strip to show once, prominently (classroom-strip.ts).
import { call, errorText, fill, JUST_JOINED_KEY, pageWords, safeNext, say, whoAmI } from './classroom-client.ts';

const page = document.querySelector<HTMLElement>('[data-classroom-join]');
if (page) start(page);

function start(root: HTMLElement): void {
  const w = pageWords(root);
  const language = root.dataset.lang ?? 'en';
  const lessons = JSON.parse(root.dataset.labLessons ?? '{}') as Record<string, string>;
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const firstLab = (labs: number[] | undefined) => (labs?.length ? lessons[labs[0]!] : undefined) ?? `/${language}/`;

  function busy(form: HTMLFormElement, on: boolean): void {
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    button.disabled = on;
    button.textContent = (on ? button.dataset.busy : button.dataset.label) ?? '';
  }

  const joinForm = root.querySelector<HTMLFormElement>('[data-cr-join-form]')!;
  joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const error = joinForm.querySelector<HTMLElement>('[data-cr-join-error]');
    const data = new FormData(joinForm);
    const code = String(data.get('code') ?? '').trim();
    const name = String(data.get('name') ?? '').trim();
    const problem = !code ? 'code' : !name || [...name].length > 40 ? 'name' : undefined;
    if (problem) {
      say(error, problem === 'code' ? w.wrongCode : w.nameInvalid);
      joinForm.querySelector<HTMLInputElement>(`input[name="${problem}"]`)!.focus();
      return;
    }
    say(error, '');
    busy(joinForm, true);
    void call<{ resumeCode: string; cohort: { labs: number[] } }>('POST', '/api/classroom/join', { body: { code, name, lang: language } }).then((answer) => {
      if (!answer.ok) {
        busy(joinForm, false);
        say(error, errorText(w, answer, (status, message) => {
          if (status === 404) return w.wrongCode;
          if (status === 409) return (answer.body as { code?: string }).code === 'class-full' ? w.classFull : w.nameTaken;
          if (status === 400) return w.nameInvalid;
          return undefined;
        }));
        const field = answer.status === 404 ? 'code' : 'name';
        joinForm.querySelector<HTMLInputElement>(`input[name="${field}"]`)?.select();
        return;
      }
      try {
        sessionStorage.setItem(JUST_JOINED_KEY, answer.body.resumeCode ?? '');
      } catch {
        // No storage: the strip still offers the code behind its button.
      }
      location.assign(firstLab(answer.body.cohort?.labs));
    });
  });

  const resumeForm = root.querySelector<HTMLFormElement>('[data-cr-resume-form]')!;
  resumeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const error = resumeForm.querySelector<HTMLElement>('[data-cr-resume-error]');
    const code = String(new FormData(resumeForm).get('code') ?? '').trim();
    if (!code) return say(error, w.wrongResume);
    say(error, '');
    busy(resumeForm, true);
    void call('POST', '/api/classroom/resume', { body: { code, lang: language } }).then(async (answer) => {
      if (!answer.ok) {
        busy(resumeForm, false);
        say(error, errorText(w, answer, (status) => (status === 404 ? w.wrongResume : undefined)));
        return;
      }
      const me = await whoAmI();
      location.assign(next ?? firstLab(me && me !== 'off' ? me.cohort?.labs : undefined));
    });
  });

  // Already in a class on this device: say so, with the way back to the labs.
  void whoAmI().then((me) => {
    if (me === 'off') {
      root.querySelector<HTMLElement>('[data-cr-off]')!.hidden = false;
      for (const form of root.querySelectorAll<HTMLFormElement>('form')) for (const control of form.elements) (control as HTMLButtonElement).disabled = true;
      return;
    }
    if (me?.role !== 'learner' || !me.cohort) return;
    root.querySelector<HTMLElement>('[data-cr-already]')!.hidden = false;
    root.querySelector<HTMLElement>('[data-cr-already-text]')!.textContent = fill(w.already, { cohort: me.cohort.name, name: me.displayName ?? '' });
    root.querySelector<HTMLAnchorElement>('[data-cr-already-go]')!.href = next ?? firstLab(me.cohort.labs);
  });
}
