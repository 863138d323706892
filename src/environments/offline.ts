// The offline path to a learner cluster: whether to take it (nothing public is asked when it can
// be helped), and everything it needs built or cached — toolchain, images, node image, and the
// local registry mirror holding every catalog image.
import { lookup } from 'node:dns/promises';
import { cacheDir } from '../base/paths.ts';
import { sleep, tryRun } from '../base/exec.ts';
import { aptEnsure, requireFreeDisk } from './docker/engine.ts';
import { toolchainVersions } from './toolchain.ts';
import { ImageBuilder, imageKeyOf } from './images/build.ts';
import { NodeImageBuilder, offlineNodeRef } from './images/node-image.ts';
import { ensureMirrorRunning, pushToMirror } from './mirror.ts';
import { recordTimings } from './timings.ts';
import type { Reporter } from './progress.ts';

/**
 * Offline unless upstream is reachable. Checked without sending anything to a public address
 * when possible: a built offline image or a present upstream image decides; otherwise a DNS
 * lookup of Docker Hub's registry (no answer → offline).
 */
export async function chooseOffline(requested: boolean | undefined, nodeImageRef: string): Promise<{ offline: boolean; reason: string }> {
  if (requested !== undefined) return { offline: requested, reason: requested ? '--offline' : '--online' };
  if (process.env.LABS_OFFLINE === '1') return { offline: true, reason: 'LABS_OFFLINE=1' };
  if (process.env.LABS_OFFLINE === '0') return { offline: false, reason: 'LABS_OFFLINE=0' };
  if ((await imageKeyOf(nodeImageRef)) !== undefined) return { offline: true, reason: 'offline node image already built' };
  if ((await tryRun('docker', ['image', 'inspect', upstreamNodeImage()])).code === 0) return { offline: false, reason: 'upstream node image present' };
  try {
    await Promise.race([lookup('registry-1.docker.io'), sleep(3000).then(() => { throw new Error('timeout'); })]);
    return { offline: false, reason: 'upstream registry resolves' };
  } catch {
    return { offline: true, reason: 'upstream registry unreachable' };
  }
}

/**
 * Toolchain components linked into the learner shell's PATH (toolchainBinDir()); helm4 is `helm`.
 * Helm 3 (`helm3`, component helm) is no lesson's: it is built only for what asks for it (the
 * Helm-record tests, the classroom toolbox image), not on a learner's first start.
 */
export const learnerShellComponents = ['kind', 'helm4', 'kustomize'];

/** kind v0.33.0's default node image (pkg/apis/config/defaults/image.go), for machines with internet. */
export const upstreamNodeImage = (): string =>
  'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5';

/**
 * Builds (or finds cached) everything the offline path needs: toolchain, images, node image,
 * a running mirror holding every catalog image. A no-op in seconds when nothing changed.
 */
export async function prepareOffline(report: Reporter): Promise<{ nodeImage: string }> {
  const images = new ImageBuilder((m) => report.log(m));
  if ((await imageKeyOf(offlineNodeRef(toolchainVersions().KUBERNETES_VERSION))) === undefined) requireFreeDisk(cacheDir(), 4, 'the image cache');
  const started = Date.now();
  report.phase('toolchain', 'building the offline toolchain (kind/toolchain/build.sh) where not cached');
  // The images' binaries, plus the learner shell's tools (kubectl comes with kubernetes).
  await images.ensureToolchain([...images.componentsNeeded(), ...learnerShellComponents], (line) => report.log(line));
  await aptEnsure(['git'], (m) => report.log(m));
  report.phase('images', 'building images from kind/images.yaml where not cached');
  const result = await images.buildAll();
  report.log(`images: ${result.built.length} built, ${result.cached.length} cached`);
  report.phase('node-image', 'building the kind node image where not cached');
  const nodeImage = await new NodeImageBuilder(images, (m) => report.log(m)).ensureNodeImage();
  report.phase('mirror', 'filling the local registry mirror');
  const registryImage = images.catalog.images.find((i) => i.refs[0].includes('/registry:'))?.refs[0];
  if (!registryImage) throw new Error('kind/images.yaml: no registry image');
  await ensureMirrorRunning(registryImage, (m) => report.log(m));
  let pushed = 0;
  for (const image of images.catalog.images.filter((i) => i.mirror)) {
    for (const ref of image.refs) if ((await pushToMirror(ref, (m) => report.log(m))) === 'pushed') pushed++;
  }
  report.log(`mirror: ${pushed} images pushed`);
  // A build that bootstrapped every Debian tree is the cold figure the benchmark reports.
  if (images.debootstraps === images.rootfsNeeded().length) {
    recordTimings({ imagesColdSeconds: (Date.now() - started) / 1000, imagesColdAt: new Date().toISOString() });
  }
  return { nodeImage };
}
