// Lab 03's task "startup-probe-configured" judges a startup probe the way lesson 02 teaches
// (issue #25): a probe that fails from the start gives up at the earliest
// initialDelaySeconds + (failureThreshold − 1) × periodSeconds after the container starts, and
// that must be past the app's 30-second warm-up. delay + period × threshold is the latest, so a
// probe whose latest is past 30 s but whose earliest is not can still kill the app.
import { describe, expect, it } from 'vitest';
import { findLab } from '../../grader/catalog.ts';
import type { KubeReader } from '../../grader/kube.ts';
import { loadChecks, runChecks } from '../../grader/verify.ts';
import { inKorean } from '../../grader/words-ko.ts';

type Probe = { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number };

/** A cluster holding only Pod startup/slow-app with this startup probe on container "app". */
function clusterWith(startupProbe: Probe): KubeReader {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'slow-app', namespace: 'startup', uid: 'u1' },
    spec: {
      containers: [{ name: 'app', livenessProbe: { exec: { command: ['cat', '/tmp/started'] }, periodSeconds: 5, failureThreshold: 3 }, startupProbe: { exec: { command: ['cat', '/tmp/started'] }, ...startupProbe } }],
    },
    status: {},
  };
  return {
    list: async (path: string) => ({ items: /\/namespaces\/startup\/pods$/.test(path) || /\/v1\/pods$/.test(path) ? [pod] : [], resourceVersion: '1' }),
    watch: async () => () => {},
  } as unknown as KubeReader;
}

async function configured(startupProbe: Probe) {
  const lab = await findLab('3');
  const result = await runChecks(lab, await loadChecks(lab), clusterWith(startupProbe), { diagnostics: false });
  return result.checks.find((c) => c.id === 'startup-probe-configured')!;
}

describe('lab 03: the startup probe must not be able to fail during the 30-second warm-up', () => {
  it('passes the solution, 12 × 5 s: it cannot fail before 55 s', async () => {
    const check = await configured({ periodSeconds: 5, failureThreshold: 12 });
    expect(check.passed).toBe(true);
    expect(check.observed).toMatch(/(^|; )55 s$/);
  });

  it('fails 4 × 10 s: 40 s at the latest, but it can fail at 30 s, while the app is still warming up', async () => {
    const check = await configured({ periodSeconds: 10, failureThreshold: 4 });
    expect(check.passed).toBe(false);
    expect(check.observed).toMatch(/(^|; )30 s$/);
    expect(check.expected).toBe("slow-app's startupProbe cannot fail before 30 s (initialDelaySeconds + (failureThreshold − 1) × periodSeconds)");
    expect(inKorean(check.expected!)).toBe('slow-app의 startupProbe가 30초 전에는 실패할 수 없음 (initialDelaySeconds + (failureThreshold − 1) × periodSeconds)');
  });

  it('counts initialDelaySeconds and the defaults (period 10, threshold 3)', async () => {
    expect((await configured({ initialDelaySeconds: 20, periodSeconds: 5, failureThreshold: 3 })).passed).toBe(false); // 30 s
    expect((await configured({ initialDelaySeconds: 20, periodSeconds: 5, failureThreshold: 4 })).passed).toBe(true); // 35 s
    expect((await configured({ initialDelaySeconds: 15 })).observed).toMatch(/(^|; )35 s$/);
  });
});
