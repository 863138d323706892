import { defineConfig } from 'vitest/config';

// Four suites: unit (fast, no cluster), browser (Playwright + Debian chromium against a running
// server), cluster (a real kind cluster), host-cluster (learner environments as pods on a 3-node
// kind host). `npm test` runs unit + browser; `npm run test:cluster` runs the cluster suite;
// `npm run test:host-cluster` the host-cluster suite (not in CI: it needs its own host cluster).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.spec.ts', 'grader/**/*.spec.ts', 'src/**/*.spec.ts', 'labs/**/*.spec.ts'],
          // Timeouts are for hangs, not speed (benchmarks measure speed): some unit tests run real
          // ptys, child processes and scrypt, which take seconds on a loaded 2-core machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.spec.ts'],
          // Installs Debian's chromium when it is missing (as root; otherwise one line with the command).
          globalSetup: ['tests/browser/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['tests/cluster/**/*.spec.ts'],
          // Its own 3-node host cluster, too slow for CI's budget: `npm run test:host-cluster`.
          exclude: ['tests/cluster/host-cluster/**'],
          // One kind cluster per run, created (offline) when missing, shared by every file.
          globalSetup: ['tests/browser/global-setup.ts', 'tests/cluster/helpers/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'host-cluster',
          // The `kubernetes` classroom provider on a kind host cluster of 1 control plane + 2 workers (tests/cluster/host-cluster/host.ts).
          include: ['tests/cluster/host-cluster/**/*.spec.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
