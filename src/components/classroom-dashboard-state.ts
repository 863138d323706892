// What the dashboard's parts share (classroom-dashboard.ts and its -pool, -grid and -drawer
// files): the snapshot every feed event carries, and the page they draw on with the state kept
// between snapshots. Apart so each part can be read alone without a closure over the others.
import { call, confirmAction, el, errorText, pageWords, say, type Cohort, type EnvironmentStatus } from './classroom-client.ts';
import type { LabChoice } from './classroom-pages.ts';
import type { ClassroomWords } from './ui-strings.ts';

export type Reason = { task: string; expected?: string; observed?: string; nearMiss?: true };
export type Cell = { lab: number; started: boolean; passed: boolean; tasksPassed: number; tasksTotal: number; attempts: number; minutes: number; stuck: boolean; reasons: Reason[] };
export type Pool = {
  assigned: number; warm: number; creating: number; warmCreating?: number; warmTarget: number; fit: number; limit: 'memory' | 'cpu' | 'cap'; limitMessage: string; idle?: boolean;
  /** Of `assigned`, those paused while idle (memory kept, no CPU). */
  frozen?: number;
  preparing?: { message: string; progress?: { phase?: string; step: number; steps: number; etaSeconds?: number } };
};
export type Snapshot = {
  cohort: Cohort;
  learners: { id: number; displayName: string; joinedAt: string; environment: EnvironmentStatus }[];
  grid: { learner: { id: number; displayName: string }; cells: Cell[] }[];
  failures: { lab: number; task: string; observed: string; learners: string[]; started: number; latestAt: string; nearMiss?: true }[];
  notStarted: { lab: number; learners: string[] }[];
  help: { learnerId: number; displayName: string; message: string; at: string }[];
  /** The machine's preparation and warm pool (PoolStatus); none for an ended class or without environments. */
  pool?: Pool;
};
export type Lab = LabChoice & { label: string };

/** The dashboard page: its words and elements, and what it remembers between snapshots. */
export type Dashboard = {
  page: HTMLElement;
  w: ClassroomWords;
  language: string;
  cohortId: number;
  csrf: string;
  /** Times in the page's language ("joined 14:05"). */
  timeFormat: Intl.DateTimeFormat;
  $: <T extends HTMLElement = HTMLElement>(selector: string) => T;
  labOf(n: number): Lab;
  taskTitle(n: number, task: string): string;
  /** The snapshot drawn last. */
  latest: Snapshot | undefined;
  /** The learner whose drawer is open. */
  openLearner: number | undefined;
  /** The class has ended: actions are off, environments read "class ended". */
  ended: boolean;
};

export function dashboardOf(page: HTMLElement): Dashboard {
  const labs = JSON.parse(page.dataset.labs ?? '[]') as Lab[];
  const labOf = (n: number): Lab => labs.find((lab) => lab.number === n) ?? { number: n, title: '', label: `${n}`, tasks: [] };
  const language = page.dataset.lang ?? 'en';
  return {
    page,
    w: pageWords(page),
    language,
    cohortId: Number(page.dataset.cohort),
    csrf: page.dataset.csrf ?? '',
    timeFormat: new Intl.DateTimeFormat(language, { timeStyle: 'short' }),
    $: <T extends HTMLElement = HTMLElement>(selector: string) => page.querySelector<T>(selector)!,
    labOf,
    taskTitle: (n, task) => labOf(n).tasks.find((t) => t.id === task)?.title ?? task,
    latest: undefined,
    openLearner: undefined,
    ended: false,
  };
}

/** An action on the class or a learner (confirmed first when `question` is given); the outcome shows in `status`. */
export async function act(d: Dashboard, path: string, body: unknown, status: HTMLElement, question?: { text: string; detail?: string; confirm?: string; tone?: 'neutral' }): Promise<boolean> {
  const { w } = d;
  if (d.ended) return false;
  if (question && !(await confirmAction(w, question.text, question.detail, question.confirm, question.tone))) return false;
  const answer = await call('POST', path, { body, csrf: d.csrf });
  say(status, answer.ok ? w.done : errorText(w, answer, (code) => (code === 404 ? w.notFound : undefined)), answer.ok ? 'ok' : 'error');
  return answer.ok;
}

/** A sentence with its command-line options (--host) as code, each kept on one line (a phone broke one after its first dash). */
export const withOptionsAsCode = (line: string): (string | HTMLElement)[] =>
  line.split(/(--[a-z][a-z-]*)/).map((part, i) => (i % 2 ? el('code', 'cr-option', part) : part));
