// vitest globalSetup for the "cluster" project: one kind cluster per test run, shared by every
// suite file (they read it with testKubeconfig()). Creating it offline takes about a minute
// once the offline images are cached; the first run on a machine also builds those.
import { ensureTestCluster } from './cluster.ts';

export default async function setup(): Promise<void> {
  const started = Date.now();
  let lastPhase = '';
  const kubeconfig = await ensureTestCluster(undefined, (e) => {
    if (e.phase !== lastPhase || process.env.LABS_VERBOSE) console.error(`[cluster fixture ${(e.elapsedMs / 1000).toFixed(0)}s] ${e.message}`);
    lastPhase = e.phase;
  });
  console.error(`[cluster fixture] ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${kubeconfig}`);
}
