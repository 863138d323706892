// What classroom mode needs from learner environments (a cluster and a sandboxed shell per
// learner), whatever provides them: kind clusters plus sandbox containers on this machine, or
// pods on an existing cluster. The classroom hands one out on join, grades through its
// kubeconfig, attaches the terminal to its shell, and reclaims it when the cohort ends.
import type { ShellCommand } from '../terminal/session.ts';

export type EnvironmentState = 'pending' | 'creating' | 'ready' | 'error' | 'gone';

export type EnvironmentStatus = { state: EnvironmentState; message: string };

export interface LearnerEnvironments {
  /** Gives the learner an environment (a warm one when the pool has one); resolves when ready. */
  assign(learner: string): Promise<void>;
  status(learner: string): EnvironmentStatus;
  /** The kubeconfig the server grades with (host side); undefined until ready. */
  kubeconfig(learner: string): string | undefined;
  /** How the terminal bridge reaches the learner's shell (inside the sandbox); undefined until ready. */
  shell(learner: string): ShellCommand | undefined;
  /** Throws the learner's environment away and makes a new one (a dead cluster, a broken sandbox). */
  recreate(learner: string): Promise<void>;
  /** Reclaims the learner's environment (cohort ended, learner removed). */
  release(learner: string): Promise<void>;
  /** Environment states change (the dashboard shows them live). */
  onChange(listener: (learner: string, status: EnvironmentStatus) => void): () => void;
}
