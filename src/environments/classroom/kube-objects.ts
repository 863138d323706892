// The `kubernetes` classroom provider's objects on the host cluster: their labels (the record
// a restart re-adopts from), names, and running a command in a pod through the exec API.
import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';

const prefix = 'labs.kubernetes-labs.io';
export const kubeLabel = {
  pool: `${prefix}/pool`,
  env: `${prefix}/env`,
  /** node (the learner's cluster), toolbox (their shell), env (the Secret recording the environment). */
  role: `${prefix}/role`,
  /** The learner an environment is handed to, label-safe ("learner:12" → "learner-12"); the exact id is in the annotation. */
  learner: `${prefix}/learner`,
} as const;
export const learnerAnnotation = `${prefix}/learner`;

/** A learner id as a label value (labels allow [A-Za-z0-9._-], 63 characters). */
export function learnerLabelValue(learner: string): string {
  return learner.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63);
}

export const toolboxName = (env: string): string => `${env}-shell`;
export const selectorOf = (labels: Record<string, string>): string => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

export type ExecResult = { code: number; stdout: string; stderr: string };

/** Runs `command` in a container (the exec API over WebSocket, no TTY, no stdin); resolves with its exit code and output. */
export async function execInPod(kc: KubeConfig, namespace: string, pod: string, container: string, command: string[], timeoutMs = 60_000): Promise<ExecResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, done) { append(String(chunk)); done(); } });
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    const finish = (r: ExecResult | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const timer = setTimeout(() => finish(new Error(`exec in ${namespace}/${pod} (${command[0]}) took over ${timeoutMs / 1000} s`)), timeoutMs);
    new Exec(kc)
      .exec(namespace, pod, container, command, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, (status: V1Status) => {
        const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
        // Output may still be in flight when the status arrives.
        setImmediate(() => finish({ code: status.status === 'Success' ? 0 : Number(cause?.message ?? 1), stdout, stderr }));
      })
      .then((ws) => ws.on('close', () => setTimeout(() => finish(new Error(`exec in ${namespace}/${pod}: connection closed without a status${stderr ? `: ${stderr.trim()}` : ''}`)), 100)))
      .catch((e: unknown) => finish(new Error(`exec in ${namespace}/${pod}: ${(e as Error).message}`)));
  });
}

/** Like execInPod, but a non-zero exit is an error naming what was being done. */
export async function runInPod(kc: KubeConfig, namespace: string, pod: string, container: string, command: string[], what: string): Promise<string> {
  const r = await execInPod(kc, namespace, pod, container, command);
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`);
  return r.stdout;
}
