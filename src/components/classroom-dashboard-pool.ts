// The dashboard's machine panel: the machine's preparation and the warm pool, in a sentence or
// two (the "why is nobody's cluster ready" answer). Apart from the grid: it reads only the pool.
import { el, fill } from './classroom-client.ts';
import { withOptionsAsCode, type Dashboard, type Pool, type Snapshot } from './classroom-dashboard-state.ts';
import type { ClassroomWords } from './ui-strings.ts';

/**
 * The panel's sentences. The step is named in the page's language (the build's own line, English
 * and changing every few seconds, is the panel's tooltip); `detail`: the limit's figures, which
 * the server words in English, are said too.
 */
export function poolLines(w: ClassroomWords, pool: Pool, detail = true): string[] {
  const limit = detail ? `${w.poolLimits[pool.limit]}: ${pool.limitMessage}` : w.poolLimits[pool.limit];
  if (pool.preparing) {
    const p = pool.preparing.progress;
    const left = p?.etaSeconds !== undefined ? fill(w.poolLeft, { minutes: Math.max(1, Math.round(p.etaSeconds / 60)) }) : '';
    const step = (p?.phase && w.poolPhases[p.phase]) || pool.preparing.message;
    return [fill(w.poolPreparing, { message: step, step: p?.step ?? 1, steps: p?.steps ?? 1, left })];
  }
  if (pool.idle) return [w.poolIdle];
  // A learner's environment being made is theirs ("in use"), not the pool's.
  const counts = fill(w.poolCounts, { warm: pool.warm, creating: pool.warmCreating ?? pool.creating, assigned: pool.assigned, target: pool.warmTarget })
    + (pool.frozen ? ` ${fill(w.poolFrozen, { frozen: pool.frozen })}` : '');
  return [counts, poolFull(pool) ? fill(w.poolFull, { limit }) : fill(w.poolRoom, { fit: pool.fit, limit: w.poolLimits[pool.limit] })];
}

/** No room for another environment and none ready or being made for the next learner who joins. */
const poolFull = (pool: Pool): boolean => pool.fit < 1 && pool.warm < 1 && (pool.warmCreating ?? 0) < 1;

/** The panel under the page's notice, made on the first snapshot; hidden when the snapshot has no pool. */
export function drawPool(d: Dashboard, snapshot: Snapshot): void {
  const { page, w, language } = d;
  let panel = page.querySelector<HTMLElement>('[data-cr-pool]');
  if (!panel) {
    panel = el('section', 'callout cr-pool');
    panel.dataset.crPool = '';
    panel.setAttribute('role', 'status');
    panel.setAttribute('aria-label', w.poolTitle);
    d.$('[data-cr-notice]').after(panel);
  }
  panel.hidden = !snapshot.pool;
  if (!snapshot.pool) return;
  panel.dataset.state = snapshot.pool.preparing ? 'preparing' : snapshot.pool.idle ? 'idle' : poolFull(snapshot.pool) ? 'full' : 'ready';
  panel.title = snapshot.pool.preparing?.message ?? (language === 'en' ? '' : snapshot.pool.limitMessage);
  const sentence = (line: string) => {
    const span = el('span', 'cr-pool-line');
    span.append(...withOptionsAsCode(line));
    return span;
  };
  panel.replaceChildren(el('strong', 'cr-pool-title', `${w.poolTitle}:`), ...poolLines(w, snapshot.pool, language === 'en').flatMap((line) => [' ', sentence(line)]));
}
