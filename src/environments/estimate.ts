// How far a cluster build has come and about how long it has left, for the learner's banner
// ("step 2 of 7 · building kubernetes (3 of 9) · about 21 min left"). Estimates come from the
// cold build figures measured on a 2-core machine (kind/toolchain/README.md) and, for images,
// from this machine's own recorded cold build when there is one.
import type { BuildProgress as ContractBuildProgress } from '../contract/cluster.ts';
import type { Phase, ProgressEvent } from './progress.ts';
import { readTimings } from './timings.ts';

/** The steps of making a cluster, in order (deleting, ready and error are not steps). */
export const BUILD_STEPS: readonly Phase[] = ['docker', 'toolchain', 'images', 'node-image', 'mirror', 'creating', 'waiting'];

/** Cold Go build of each toolchain component, seconds (kind/toolchain/README.md, "Build times"). */
const COMPONENT_SECONDS: Record<string, number> = {
  kubernetes: 509, argocd: 651, 'cni-plugins': 10, containerd: 82, coredns: 103, crictl: 78, etcd: 24,
  helm: 66, helm4: 1009, kind: 4, kustomize: 10, 'local-path-provisioner': 55, pause: 2, registry: 70, runc: 45,
};
const UNKNOWN_COMPONENT_SECONDS = 60;

/** Other steps when nothing is cached (README: images and node image about 5 min; create about 35 s). */
const STEP_SECONDS: Record<string, number> = { docker: 10, images: 240, 'node-image': 60, mirror: 30, creating: 25, waiting: 15 };

/** A build's progress as the pages receive it (src/contract/cluster.ts), its phase one of ours. */
export type BuildProgress = ContractBuildProgress<Phase>;

/** The toolchain's plan line (src/environments/toolchain.ts) and build.sh's per-component lines. */
const PLAN_LINE = /^toolchain: building \d+ of \d+ components: (.+)$/;
const ITEM_LINE = /^\[(\d+)\/(\d+)\] building (\S+) /;

/** Follows one operation's progress events; `observe` returns where it stands after each. */
export class BuildEstimator {
  private readonly startedAt: number;
  private phase: Phase | undefined;
  private phaseStartedAt = 0;
  private plan: string[] | undefined;
  private item: { index: number; total: number; name: string; startedAt: number } | undefined;

  constructor(now = Date.now()) {
    this.startedAt = now;
  }

  observe(event: ProgressEvent, now = Date.now()): BuildProgress | undefined {
    const step = BUILD_STEPS.indexOf(event.phase);
    if (step < 0) return undefined;
    if (event.phase !== this.phase) {
      this.phase = event.phase;
      this.phaseStartedAt = now;
    }
    const plan = PLAN_LINE.exec(event.message);
    if (plan) this.plan = plan[1]!.trim().split(/\s+/);
    const item = ITEM_LINE.exec(event.message);
    if (item) this.item = { index: Number(item[1]), total: Number(item[2]), name: item[3]!, startedAt: now };
    return {
      phase: event.phase,
      step: step + 1,
      steps: BUILD_STEPS.length,
      startedAt: new Date(this.startedAt).toISOString(),
      phaseStartedAt: new Date(this.phaseStartedAt).toISOString(),
      item: event.phase === 'toolchain' && this.item ? { index: this.item.index, total: this.item.total, name: this.item.name } : undefined,
      etaSeconds: Math.round(this.remaining(step, now)),
    };
  }

  private remaining(step: number, now: number): number {
    const imagesCold = readTimings().imagesColdSeconds;
    const stepSeconds = (phase: Phase): number => {
      if (phase === 'toolchain') return (this.plan ?? []).reduce((sum, name) => sum + (COMPONENT_SECONDS[name] ?? UNKNOWN_COMPONENT_SECONDS), 0);
      if (phase === 'images' && imagesCold) return imagesCold * 0.8;
      if (phase === 'node-image' && imagesCold) return imagesCold * 0.2;
      return STEP_SECONDS[phase] ?? 0;
    };
    let left = 0;
    for (const later of BUILD_STEPS.slice(step + 1)) left += stepSeconds(later);
    const phase = BUILD_STEPS[step]!;
    if (phase === 'toolchain' && this.plan && this.item) {
      // The component building now, less what it has had; the ones after it in the plan in full.
      const current = COMPONENT_SECONDS[this.item.name] ?? UNKNOWN_COMPONENT_SECONDS;
      left += Math.max(current * 0.1, current - (now - this.item.startedAt) / 1000);
      const at = this.plan.indexOf(this.item.name);
      for (const name of this.plan.slice(at + 1)) left += COMPONENT_SECONDS[name] ?? UNKNOWN_COMPONENT_SECONDS;
    } else {
      const own = stepSeconds(phase);
      left += Math.max(own * 0.1, own - (now - this.phaseStartedAt) / 1000);
    }
    return left;
  }
}
