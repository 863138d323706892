// Which learner environments a class gets, picked from options beside the contract (as kind's
// library, not its start script, picks a node provider): kind clusters and Docker sandboxes on
// this machine (local.ts, the default), a cluster per learner as pods on an existing host
// cluster (kubernetes.ts), or none (none.ts). A provider's code is loaded only when it is picked.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dataDir } from '../../base/paths.ts';
import type { LearnerEnvironments } from './contract.ts';
import type { GitServerAddress } from './kube-toolbox.ts';

export type Provider = 'local' | 'kubernetes' | 'none';

export type LearnerEnvironmentsOptions = {
  provider: Provider;
  /** Names this class's environments (labels, volume names). Default: this data folder's (classroomPool()). */
  pool?: string;
  /** Warm environments kept ready (default: local, from what fits; kubernetes, 1). */
  warm?: number;
  maxEnvironments?: number;
  /** local: an environment nobody used this long is reclaimed (home kept). */
  idleMs?: number;
  /** local: an environment nobody used this long, its learner's pages closed, is frozen (LocalEnvironmentsOptions.freezeMs). */
  freezeMs?: number;
  /**
   * The class server as sandboxes reach it: `url(port)` at the port it is configured with
   * (`port`, what a host cluster's NetworkPolicy opens when the toolbox is made) or the port it
   * listens on (`listening`: --port 0 picks one), which local sandboxes are told.
   */
  server: { url: (port: number) => string; port: number; listening: Promise<number> };
  /** The learner's bearer token for `labs` in their sandbox. */
  credential?: (learner: string) => Promise<string | undefined> | string | undefined;
  /** local: files every new home starts with (the labs' starter files). */
  starterFiles?: () => Promise<Record<string, string>>;
  /** kubernetes: the host cluster's kubeconfig and the addresses its pods reach this server, the mirror and the git server at. */
  host?: { kubeconfig: string; serverAddress?: string; mirrorAddress?: string; gitServer?: GitServerAddress };
  log?: (line: string) => void;
};

/** The provider `options` pick, started: it has adopted what a previous run left and fills its warm pool. */
export async function openLearnerEnvironments(options: LearnerEnvironmentsOptions): Promise<LearnerEnvironments> {
  if (options.provider === 'none') return new (await import('./none.ts')).NoLearnerEnvironments();
  const { server, credential, log } = options;
  const common = { pool: options.pool ?? classroomPool(dataDir()), warm: options.warm, maxEnvironments: options.maxEnvironments, credential, log };
  if (options.provider === 'kubernetes') {
    const host = options.host;
    if (!host) throw new Error('kubernetes environments need the host cluster\'s kubeconfig (--host-kubeconfig)');
    const { KubernetesLearnerEnvironments } = await import('./kubernetes.ts');
    return KubernetesLearnerEnvironments.open({
      ...common, hostKubeconfig: host.kubeconfig, serverUrl: server.url(server.port),
      serverAddress: host.serverAddress, mirrorAddress: host.mirrorAddress, gitServer: host.gitServer,
    });
  }
  const { LocalLearnerEnvironments } = await import('./local.ts');
  return LocalLearnerEnvironments.open({ ...common, idleMs: options.idleMs, freezeMs: options.freezeMs, serverUrl: async () => server.url(await server.listening), starterFiles: options.starterFiles });
}

/**
 * The pool of this data folder's classroom (LABS_CLASSROOM_POOL, else an id made once and kept
 * beside the database): learner ids restart at 1 with a new database, so another database's
 * environments must never be taken for its learners'.
 */
export function classroomPool(data: string): string {
  if (process.env.LABS_CLASSROOM_POOL) return process.env.LABS_CLASSROOM_POOL;
  const file = join(data, 'classroom-pool');
  if (!existsSync(file)) writeFileSync(file, `c${randomBytes(4).toString('hex')}\n`, { flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}
