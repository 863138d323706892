// The watch page's title: "Terminal of <learner>", the name read from the class's snapshot.
import { call, fill, pageWords } from './classroom-client.ts';

const page = document.querySelector<HTMLElement>('[data-classroom-watch]');
if (page?.dataset.cohort) {
  const w = pageWords(page);
  void call<{ learners: { id: number; displayName: string }[] }>('GET', `/api/classroom/cohorts/${page.dataset.cohort}`).then((answer) => {
    const learner = answer.body.learners?.find((l) => String(l.id) === page.dataset.learner);
    if (!learner) return;
    const title = page.querySelector<HTMLElement>('[data-cr-watch-title]')!;
    title.textContent = fill(w.watchTitle, { name: learner.displayName });
    document.title = `${title.textContent} · ${document.title.split(' · ').slice(-1)[0]}`;
  });
}
