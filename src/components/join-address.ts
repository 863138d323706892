// Where learners join, as the server knows it: the address it printed at start (its LAN address
// when it listens on all of them), rendered into the instructor's pages as data-join-address.
// Not the instructor's browser's address, which is http://localhost:… when they sit at the
// server. None when the server listens on this machine only: then no learner can join, and the
// pages say so instead of printing an address nobody else reaches.
import { fill } from './cluster-state.ts';
import type { ClassroomWords } from './ui-strings.ts';

/** The join address learners reach, or undefined when none does. */
export function joinAddressOf(page: HTMLElement): string | undefined {
  return page.dataset.joinAddress || undefined;
}

/**
 * The dashboard's "nobody has joined yet" line: where to join (`open`), or why nobody can — the
 * class has ended, or no learner reaches this server.
 */
export function noLearnersLine(w: ClassroomWords, page: HTMLElement, code: string, ended: boolean): { text: string; open: boolean } {
  if (ended) return { text: w.noLearnersEnded, open: false };
  const address = joinAddressOf(page);
  return address ? { text: fill(w.noLearners, { url: address, code }), open: true } : { text: fill(w.noLearnersUnreachable, { code }), open: false };
}
