// The learner's sandbox speaks the language of their page (issue #23, item 8): `labs verify` in
// their terminal says in Korean what the Korean lab card says. The server hears the page's
// language when the learner joins or resumes, on every page it renders for them (a language
// switch is a new page) and when their terminal attaches; their environments keep it and write
// it into the sandbox (the contract's setLanguage), where `labs` reads it at every run.
import { isLanguage, type Language } from '../content/schema.ts';
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';
import { learnerKey } from './learner-key.ts';

export class SandboxLanguage {
  private readonly environments: LearnerEnvironments;
  private readonly log: (line: string) => void;

  constructor(environments: LearnerEnvironments, log: (line: string) => void = () => {}) {
    this.environments = environments;
    this.log = log;
  }

  /**
   * The learner's page is in `language`; anything but a course language (a hostile value, a typo)
   * is ignored. Resolves once the sandbox has it (at once when it had it already, or has none
   * yet); never rejects: a failed write is logged.
   */
  heard(learner: { id: number }, language: unknown): Promise<void> {
    if (!isLanguage(language) || !this.environments.setLanguage) return Promise.resolve();
    return this.environments.setLanguage(learnerKey(learner), language)
      .catch((error: unknown) => {
        this.log(`classroom: the language of learner ${learner.id}'s sandbox: ${(error as Error).message}`);
      });
  }
}

/** The language of a page by its path ("/ko/lessons/…" → ko); undefined for a path in none ("/join", "/classroom/"). */
export function languageOfPath(path: string): Language | undefined {
  const prefix = /^\/([a-z]{2})(?:\/|$)/.exec(path)?.[1];
  return isLanguage(prefix) ? prefix : undefined;
}
