// The instructor's start page: sign in (POST /api/classroom/login), list the classes
// (GET /api/classroom/cohorts), create one (POST /api/classroom/cohorts) and show its join code.
import { call, el, errorText, fill, pageWords, say, spacedCode, whoAmI, type Cohort } from './classroom-client.ts';

const root = document.querySelector<HTMLElement>('[data-classroom-instructor]');
if (root) start(root);

function busy(button: HTMLButtonElement, on: boolean): void {
  button.disabled = on;
  button.textContent = (on ? button.dataset.busy : button.dataset.label) ?? '';
}

function start(page: HTMLElement): void {
  const w = pageWords(page);
  const language = page.dataset.lang ?? 'en';
  const labTitles = JSON.parse(page.dataset.labTitles ?? '{}') as Record<string, string>;
  const login = page.querySelector<HTMLElement>('[data-cr-login]')!;
  const classes = page.querySelector<HTMLElement>('[data-cr-classes]')!;
  const list = page.querySelector<HTMLUListElement>('[data-cr-cohorts]')!;
  const loginForm = page.querySelector<HTMLFormElement>('[data-cr-login-form]')!;
  const createForm = page.querySelector<HTMLFormElement>('[data-cr-create]')!;
  let csrf = page.dataset.csrf ?? '';
  const dateFormat = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });

  const show = (signedIn: boolean) => {
    login.hidden = signedIn;
    classes.hidden = !signedIn;
  };

  function cohortItem(cohort: Cohort, fresh = false): HTMLLIElement {
    const item = el('li', 'cr-cohort cr-card');
    item.dataset.cohort = String(cohort.id);
    if (cohort.endedAt) item.dataset.ended = '';
    const head = el('div', 'cr-cohort-head');
    head.append(el('h3', 'cr-cohort-name', cohort.name));
    if (cohort.endedAt) head.append(el('span', 'pill cr-pill-muted', fill(w.endedOn, { date: dateFormat.format(new Date(cohort.endedAt)) })));
    item.append(head);
    if (fresh) item.append(el('p', 'cr-created', w.created));
    const code = el('p', 'cr-code-line');
    code.append(el('span', 'cr-code-label', w.joinCode), el('span', fresh ? 'cr-code cr-code-big' : 'cr-code', spacedCode(cohort.joinCode)));
    code.querySelector('.cr-code')!.setAttribute('data-join-code', cohort.joinCode);
    item.append(code);
    const meta = el('p', 'cr-cohort-meta muted', [fill(w.labsOf, { labs: cohort.labs.join(', ') }), fill(w.upTo, { capacity: cohort.capacity }), dateFormat.format(new Date(cohort.createdAt))].join(' · '));
    meta.title = cohort.labs.map((n) => `${n}. ${labTitles[n] ?? ''}`).join('\n');
    item.append(meta);
    const links = el('p', 'cr-cohort-links');
    const dashboard = el('a', 'button primary', w.openDashboard);
    dashboard.href = `/${language}/classroom/cohorts/${cohort.id}/`;
    const print = el('a', 'button', w.printJoin);
    print.href = `/${language}/classroom/cohorts/${cohort.id}/print/`;
    links.append(dashboard, print);
    item.append(links);
    return item;
  }

  async function loadCohorts(): Promise<void> {
    const answer = await call<Cohort[]>('GET', '/api/classroom/cohorts');
    if (answer.status === 401 || answer.status === 403) return void show(false);
    if (!answer.ok || !Array.isArray(answer.body)) return;
    const cohorts = answer.body as Cohort[];
    list.replaceChildren(...cohorts.map((cohort) => cohortItem(cohort)));
    page.querySelector<HTMLElement>('[data-cr-no-cohorts]')!.hidden = cohorts.length > 0;
  }

  loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = loginForm.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    const error = loginForm.querySelector<HTMLElement>('[data-cr-login-error]');
    const data = new FormData(loginForm);
    busy(button, true);
    say(error, '');
    void call<{ csrf: string }>('POST', '/api/classroom/login', { body: { username: String(data.get('username') ?? '').trim(), password: String(data.get('password') ?? '') } })
      .then(async (answer) => {
        if (!answer.ok || !answer.body.csrf) {
          say(error, errorText(w, answer, (status) => (status === 401 ? w.wrongPassword : undefined)));
          loginForm.querySelector<HTMLInputElement>('input[name="password"]')!.select();
          return;
        }
        csrf = answer.body.csrf;
        loginForm.reset();
        show(true);
        await loadCohorts();
        classes.querySelector<HTMLInputElement>('input[name="name"]')?.focus();
      })
      .finally(() => busy(button, false));
  });

  createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = createForm.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    const error = createForm.querySelector<HTMLElement>('[data-cr-create-error]');
    const data = new FormData(createForm);
    const name = String(data.get('name') ?? '').trim();
    const labs = data.getAll('labs').map(Number);
    const capacity = Number(data.get('capacity'));
    const problem = !name ? w.nameNeeded : labs.length === 0 ? w.labsNeeded : !Number.isInteger(capacity) || capacity < 1 || capacity > 500 ? w.capacityNeeded : '';
    say(error, problem);
    if (problem) return;
    busy(button, true);
    void call<Cohort>('POST', '/api/classroom/cohorts', { body: { name, labs, capacity }, csrf })
      .then((answer) => {
        if (!answer.ok || answer.body.id === undefined) {
          say(error, errorText(w, answer));
          return;
        }
        const cohort = answer.body as Cohort;
        page.querySelector<HTMLElement>('[data-cr-no-cohorts]')!.hidden = true;
        // The previous new class becomes an ordinary item; the new one shows its code big.
        const previous = list.querySelector<HTMLElement>('[data-fresh]');
        previous?.replaceWith(cohortItem(JSON.parse(previous.dataset.fresh!) as Cohort));
        const item = cohortItem(cohort, true);
        item.dataset.fresh = JSON.stringify(cohort);
        list.prepend(item);
        item.scrollIntoView({ block: 'nearest' });
        createForm.querySelector<HTMLInputElement>('input[name="name"]')!.value = '';
      })
      .finally(() => busy(button, false));
  });

  page.querySelector<HTMLButtonElement>('[data-cr-sign-out]')!.addEventListener('click', () => {
    void call('POST', '/api/classroom/logout', { csrf }).then(() => {
      csrf = '';
      list.replaceChildren();
      show(false);
    });
  });

  // The server said who this is when it rendered the page; ask again (a stale tab, solo mode).
  void whoAmI().then(async (me) => {
    if (me === 'off') {
      page.querySelector<HTMLElement>('[data-cr-off]')!.hidden = false;
      login.hidden = true;
      classes.hidden = true;
      return;
    }
    if (me?.role === 'instructor') {
      csrf = me.csrf;
      show(true);
      await loadCohorts();
    } else {
      show(false);
    }
  });
}
