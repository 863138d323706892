// A learner's rights in their own cluster, and the guardrails that keep them inside it
// (kind/guardrails/learner-access.yaml; why: kind/guardrails/README.md). Every cluster the
// platform makes gets them before anyone gets a kubeconfig: the platform keeps the admin
// kubeconfig (grading, resets, Argo CD installs), a learner's shell gets only `learnerKubeconfig`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { run, sleep, tryRun } from '../base/exec.ts';
import { kubectlPath, repoRoot } from './toolchain.ts';

export const guardrailsManifest = join(repoRoot, 'kind', 'guardrails', 'learner-access.yaml');
/** The learner's identity: a client certificate's CN and O (kubeadm kubeconfig user). */
export const learnerUser = 'learner';
export const learnerGroup = 'labs:learners';
/** The label that aggregates the learner's rules into a ClusterRole (Argo CD's, by the addon). */
export const learnerRulesLabel = 'kubernetes-labs/learner-rules';

type Log = (message: string) => void;
/** kubectl's arguments that apply the manifest (idempotent; the Argo CD addon runs it too). */
export const guardrailsApplyArgs = ['apply', '--server-side', '--force-conflicts', '--field-manager', 'kubernetes-labs', '-f', guardrailsManifest];
/** Runs a command inside the cluster's control-plane node (docker exec, or the pod's exec). */
export type RunInNode = (argv: string[]) => Promise<string>;

const kubectl = (kubeconfig: string, args: string[], what: string) =>
  run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], what, { timeoutMs: 120_000 });

/**
 * Applies the learner's role and the admission policies, removes the bootstrap token (a node
 * identity for whoever reads it), and returns once the policies refuse what they must: a policy
 * is compiled by the API server a moment after it is created, and no learner may act before.
 */
export async function applyGuardrails(kubeconfig: string, log: Log = () => {}, timeoutMs = 60_000): Promise<void> {
  log('guardrails: the learner role and the admission policies (kind/guardrails/learner-access.yaml)');
  await kubectl(kubeconfig, guardrailsApplyArgs, 'applying the learner guardrails');
  await kubectl(kubeconfig, ['-n', 'kube-system', 'delete', 'secret', '--field-selector', 'type=bootstrap.kubernetes.io/token', '--ignore-not-found'], 'removing the bootstrap token');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = await unenforced(kubeconfig);
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`guardrails not in force after ${timeoutMs / 1000} s: ${missing.join('; ')}`);
    await sleep(500);
  }
}

/** Probes (server-side dry runs, as the learner) that each policy refuses; the ones that did not. */
async function unenforced(kubeconfig: string): Promise<string[]> {
  const asLearner = ['--as', learnerUser, '--as-group', learnerGroup, '--dry-run=server'];
  const privilegedPod = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'guardrail-probe', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'probe', securityContext: { privileged: true } }] } });
  const probes: [string, string[], string | undefined, string][] = [
    ['labs.pod-security', ['create', '-f', '-'], privilegedPod, 'a privileged pod'],
    ['labs.platform-namespaces', ['-n', 'kube-system', 'create', 'configmap', 'guardrail-probe'], undefined, 'a write in kube-system'],
  ];
  const failing: string[] = [];
  for (const [policy, args, input, what] of probes) {
    const r = await tryRun(kubectlPath(), ['--kubeconfig', kubeconfig, ...args, ...asLearner], { input, timeoutMs: 30_000 });
    if (!(r.code !== 0 && r.stderr.includes(policy))) failing.push(`${what} was not refused by ${policy}${r.code !== 0 ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`);
  }
  return failing;
}

type Kubeconfig = {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context'?: string;
  [key: string]: unknown;
};

/**
 * A client certificate for the learner, signed by the cluster's CA inside the node
 * (`kubeadm kubeconfig user`: the CA key never leaves the node), as PEM data fields.
 */
export async function issueLearnerCredentials(runInNode: RunInNode): Promise<{ certificate: string; key: string }> {
  const out = await runInNode(['kubeadm', 'kubeconfig', 'user', '--client-name', learnerUser, '--org', learnerGroup, '--validity-period', '8760h']);
  const user = (parse(out) as Kubeconfig).users?.[0]?.user ?? {};
  const certificate = user['client-certificate-data'];
  const key = user['client-key-data'];
  if (typeof certificate !== 'string' || typeof key !== 'string') throw new Error('kubeadm kubeconfig user printed no client certificate');
  return { certificate, key };
}

/** `adminKubeconfig` (YAML) with its user replaced by the learner: same server and CA, the learner's certificate. */
export function learnerKubeconfig(adminKubeconfig: string, credentials: { certificate: string; key: string }): string {
  const config = parse(adminKubeconfig) as Kubeconfig;
  config.users = [{ name: learnerUser, user: { 'client-certificate-data': credentials.certificate, 'client-key-data': credentials.key } }];
  for (const c of config.contexts) c.context.user = learnerUser;
  return stringify(config);
}

/** The learner's credentials, read back from a learner kubeconfig this module wrote. */
export function credentialsOf(learnerKubeconfigFile: string): { certificate: string; key: string } {
  const user = (parse(readFileSync(learnerKubeconfigFile, 'utf8')) as Kubeconfig).users?.[0]?.user ?? {};
  return { certificate: String(user['client-certificate-data'] ?? ''), key: String(user['client-key-data'] ?? '') };
}
