// The classroom sandbox image (kind/images.yaml's toolbox). Two things about building it:
//  - It does not wait for Argo CD: the argocd CLI is the same 11-minute Go build as Argo CD's
//    server (one multi-call binary), and only lab 8 uses it. The image is built with whatever is
//    built already (catalog `optional: [argocd]`); the pool builds Argo CD afterwards
//    (withArgocd) and the image again with it, which the next sandboxes are made from.
//  - One build per machine at a time: two servers (or a server and a test run) starting together
//    built it at the same moment; the second now waits for the lock and finds it built.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../../base/paths.ts';
import { withFileLock } from '../file-lock.ts';
import { ImageBuilder } from './build.ts';
import type { ImageRecipe } from './catalog.ts';

type Log = (message: string) => void;

export const toolboxRecipe = (images: ImageBuilder): ImageRecipe => {
  const toolbox = images.catalog.images.find((i) => i.refs[0].includes('/toolbox:'));
  if (!toolbox) throw new Error('kind/images.yaml: no toolbox image');
  return toolbox;
};

/** Builds the sandbox image where not cached, holding the machine's toolbox lock; resolves with its ref. */
export async function ensureToolboxImage(log: Log, options: { withArgocd?: boolean } = {}): Promise<string> {
  const locks = join(cacheDir(), 'locks');
  mkdirSync(locks, { recursive: true });
  return withFileLock(join(locks, 'toolbox-image'), async () => {
    const images = new ImageBuilder(log);
    const toolbox = toolboxRecipe(images);
    if (options.withArgocd) await images.ensureToolchain(['argocd']);
    await images.buildAll((i) => i === toolbox);
    return toolbox.refs[0];
  }, (owner) => log(`waiting for another process${owner ? ` (pid ${owner})` : ''} building the sandbox image`));
}
