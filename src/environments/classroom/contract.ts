// The contract of learner environments, kept beside its providers: what classroom mode needs
// from them (a cluster and a sandboxed shell per learner), whatever provides them: kind clusters
// plus sandbox containers on this machine, or pods on an existing cluster. The classroom hands
// one out on join, grades through its kubeconfig, attaches the terminal to its shell, and
// reclaims it when the cohort ends.
import type { Language } from '../../content/schema.ts';
import type { BuildProgress } from '../../contract/cluster.ts';
import type { ShellCommand } from '../../terminal/session.ts';

/**
 * 'frozen': nobody used it for the freeze time, so its node and sandbox are paused (no CPU, memory
 * kept); wake() thaws it. Continuous grading and the cluster watch skip a frozen environment.
 */
export type EnvironmentState = 'pending' | 'creating' | 'ready' | 'frozen' | 'error' | 'gone';

export type EnvironmentStatus = { state: EnvironmentState; message: string };

/** A provider's warm pool and how many more environments its machine holds now. */
export type PoolStatus = {
  /** Environments handed to learners. */
  assigned: number;
  /** Ready environments nobody has yet. */
  warm: number;
  /** Environments being made (for the pool or for a waiting learner). */
  creating: number;
  /** Of `assigned`, those frozen (memory kept, no CPU); absent: none. */
  frozen?: number;
  /** Of `creating`, those for the pool (no learner yet): a learner's own counts in `assigned` too. */
  warmCreating?: number;
  /** How many warm ones the pool keeps. */
  warmTarget: number;
  /** How many more fit now (memory, CPU, the configured cap); 0 = the next learner without a warm one gets a "machine is full" error. */
  fit: number;
  availableMiB: number;
  /** What limits `fit` now: free memory, the CPU idle environments keep busy, or the configured cap. */
  limit: 'memory' | 'cpu' | 'cap';
  /** That limit in words ("2 cores, each idle environment keeps about 16 % of a core busy …"). */
  limitMessage: string;
  /** What one environment costs (measured). */
  environmentMiB: number;
  /** Memory kept free for the host and the server. */
  reserveMiB: number;
  /** No class is open: the pool holds no warm environment (keepWarm). */
  idle?: boolean;
  /** What the machine builds before its first environment (images, the node image), and about how long is left. */
  preparing?: { message: string; progress?: BuildProgress };
  /** One line: "3 assigned, 1 warm, 0 being made; room for 12 more", or what is being prepared, or the pool's last error. */
  message: string;
};

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
  /** The warm pool and the room left (the instructor's view of the machine). */
  capacity?(): Promise<PoolStatus>;
  /** Notified when the pool's counts or the machine's preparation change. */
  onPoolChange?(listener: () => void): () => void;
  /** Warm environments only while a class is open (false: none made, the unassigned ones removed). */
  keepWarm?(open: boolean): void;
  /** The learner's environment (cluster) name, for messages and add-ons. */
  environmentOf?(learner: string): string | undefined;
  /**
   * The language of the learner's page, for `labs` in their sandbox (~/.config/labs/lang, read at
   * every run). Kept for the learner: written now when their sandbox is ready, and into each
   * sandbox they are handed later. Rejects anything but a course language.
   */
  setLanguage?(learner: string, language: Language): Promise<void>;
  /**
   * The learner (or their instructor) is about to use the environment: their page opened, a
   * Check or reset, the instructor's watch, a new shell. Thaws it when frozen and resolves once it
   * is usable again (node Ready); notes the activity either way, so it is not frozen meanwhile.
   * Resolves at once for an environment that is not frozen; rejects when a thaw fails.
   */
  wake?(learner: string): Promise<void>;
  /**
   * Who is here now (a page of theirs is open: a terminal attached, a live stream): an
   * environment is frozen only when its learner is not present and it saw no activity for the
   * freeze time.
   */
  setPresence?(present: (learner: string) => boolean): void;
}
