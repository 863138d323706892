// Builds the images of kind/images.yaml on the local Docker engine, each cached by a key over
// everything that goes into it (recipe, base, toolchain stamps, files). An image whose
// `io.kubernetes-labs.key` label matches is skipped, so a re-run with nothing changed is a no-op.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheDir } from '../../base/paths.ts';
import { run, tryRun } from '../../base/exec.ts';
import { aptEnsure } from '../docker/engine.ts';
import { componentStamp, ensureComponents, repoRoot, toolchainVersions } from '../toolchain.ts';
import { loadCatalog, type ImageCatalog, type ImageRecipe } from './catalog.ts';

export const keyLabel = 'io.kubernetes-labs.key';
const rootfsScript = join(repoRoot, 'kind', 'images', 'rootfs.sh');

type Log = (message: string) => void;

export const hash = (value: unknown): string => createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value)).digest('hex');
const fileHash = (path: string): string => hash(readFileSync(path).toString('base64'));
/** Bump when the way images are assembled here changes: every catalog image is rebuilt. */
const imageRecipeVersion = 2;

/** The value of our key label on a local image, or undefined when the image is absent. */
export async function imageKeyOf(ref: string): Promise<string | undefined> {
  const r = await tryRun('docker', ['image', 'inspect', '--format', `{{index .Config.Labels "${keyLabel}"}}`, ref]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

async function tagAll(refs: string[]): Promise<void> {
  for (const ref of refs.slice(1)) await run('docker', ['tag', refs[0], ref], `failed to tag ${ref}`);
}

/** `docker import` of a tar as an image carrying our key label (skipped when it exists). */
async function importTar(tar: string, ref: string, key: string, changes: string[] = []): Promise<void> {
  if ((await imageKeyOf(ref)) === key) return;
  const args = ['import', ...changes.flatMap((c) => ['--change', c]), '--change', `LABEL ${keyLabel}=${key}`, tar, ref];
  await run('docker', args, `failed to import ${tar} as ${ref}`);
}

/** Version of a Debian package installed in a rootfs tar (from its dpkg status file). */
async function debianVersionIn(tar: string, pkg: string): Promise<string> {
  const status = await run('tar', ['-xOf', tar, './var/lib/dpkg/status'], `failed to read dpkg status from ${tar}`);
  const block = status.split('\n\n').find((b) => b.startsWith(`Package: ${pkg}\n`));
  const version = block && /^Version: (.+)$/m.exec(block)?.[1];
  if (!version) throw new Error(`${tar}: Debian package ${pkg} is not installed`);
  return version;
}

/** Upstream part of a Debian version: "1:1.35.0-4+deb12u1+b1" → "1.35.0". */
const upstreamVersion = (debian: string): string => debian.replace(/^\d+:/, '').replace(/-[^-]*$/, '').replace(/[+~].*$/, '');

export type BaseImages = Record<string, string>;

export class ImageBuilder {
  readonly vars: Record<string, string>;
  readonly catalog: ImageCatalog;
  private readonly log: Log;
  private readonly bases: BaseImages = {};
  binDirs: Record<string, string> = {};
  /** Debian trees bootstrapped by this builder (0 when all were cached). */
  debootstraps = 0;

  constructor(log: Log = () => {}) {
    this.log = log;
    this.vars = { ...toolchainVersions() };
    // Filled from the Debian packages once the rootfs/busybox are built; placeholders let the
    // catalog parse for listing before that.
    this.vars.DEBIAN_NGINX_VERSION ??= 'unknown';
    this.vars.DEBIAN_BUSYBOX_VERSION ??= 'unknown';
    this.catalog = loadCatalog(this.vars);
  }

  /** Toolchain components the catalog's `copy:` entries need (on-demand images only when `onDemand`). */
  componentsNeeded(onDemand = false): string[] {
    const set = new Set<string>();
    for (const image of this.catalog.images.filter((i) => onDemand || !i.onDemand)) for (const from of Object.keys(image.copy)) if (!from.startsWith('kind/')) set.add(from.split('/')[0]);
    return [...set].sort();
  }

  /** Debian trees a cluster build bootstraps: the node's and those of the images buildAll builds by default. */
  rootfsNeeded(): string[] {
    const bases = this.catalog.images.filter((i) => !i.onDemand).map((i) => i.base).filter((b) => b.startsWith('rootfs:'));
    return [...new Set(['node', ...bases.map((b) => b.slice('rootfs:'.length))])].sort();
  }

  async ensureToolchain(components: string[], onLine: Log = this.log): Promise<void> {
    this.binDirs = { ...this.binDirs, ...(await ensureComponents(components, onLine)) };
  }

  /** A debootstrap'd bookworm tree as a tar in the cache, keyed by its package list. */
  async ensureRootfsTar(name: string): Promise<string> {
    const packages = this.catalog.rootfs[name];
    if (!packages) throw new Error(`kind/images.yaml: no rootfs named ${name}`);
    const key = hash({ packages, script: fileHash(rootfsScript) }).slice(0, 16);
    const tar = join(cacheDir(), 'rootfs', `${name}-${key}.tar`);
    if (!existsSync(tar)) {
      await aptEnsure(['debootstrap'], this.log);
      this.log(`debootstrap bookworm rootfs "${name}" (${packages.length} packages)`);
      await run('bash', [rootfsScript, tar, ...packages], `debootstrap of rootfs "${name}" failed`);
      this.debootstraps++;
    }
    return tar;
  }

  private async rootfsBase(name: string): Promise<string> {
    const tar = await this.ensureRootfsTar(name);
    const key = hash({ tar, size: statSync(tar).size, mtime: statSync(tar).mtimeMs }).slice(0, 16);
    const ref = `kubernetes-labs/rootfs-${name}:${key}`;
    await importTar(tar, ref, key);
    if (name === 'nginx') this.vars.DEBIAN_NGINX_VERSION = upstreamVersion(await debianVersionIn(tar, 'nginx'));
    return ref;
  }

  /** Distroless-like root: users, CA certificates, /tmp; nothing to run. */
  private async staticBase(): Promise<string> {
    await aptEnsure(['ca-certificates'], this.log);
    const certs = readFileSync('/etc/ssl/certs/ca-certificates.crt');
    const files: Record<string, string | Buffer> = {
      'etc/passwd': 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
      'etc/group': 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n',
      'etc/nsswitch.conf': 'hosts: files dns\n',
      'etc/ssl/certs/ca-certificates.crt': certs,
    };
    const key = hash(Object.entries(files).map(([k, v]) => [k, hash(v.toString())])).slice(0, 16);
    const ref = `kubernetes-labs/static-base:${key}`;
    if ((await imageKeyOf(ref)) === key) return ref;
    const dir = mkdtempSync(join(tmpdir(), 'labs-static-'));
    try {
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, 'root', path)), { recursive: true });
        writeFileSync(join(dir, 'root', path), content);
      }
      for (const d of ['tmp', 'root', 'home/nonroot', 'var/run']) mkdirSync(join(dir, 'root', d), { recursive: true });
      chmodSync(join(dir, 'root', 'tmp'), 0o1777);
      chmodSync(join(dir, 'root', 'root'), 0o700);
      await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', join(dir, 'root'), '-cf', join(dir, 'root.tar'), '.'], 'failed to pack the static base');
      await importTar(join(dir, 'root.tar'), ref, key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return ref;
  }

  /** Debian's busybox-static with its applet links in /bin. */
  private async busyboxBase(): Promise<string> {
    const debs = join(cacheDir(), 'debs');
    mkdirSync(debs, { recursive: true });
    let deb = readdirSync(debs).find((f) => f.startsWith('busybox-static_') && f.endsWith('.deb'));
    if (!deb) {
      this.log('downloading Debian package busybox-static');
      const dl = await tryRun('apt-get', ['download', 'busybox-static'], { cwd: debs });
      if (dl.code !== 0) {
        await run('apt-get', ['update'], 'apt-get update failed');
        await run('apt-get', ['download', 'busybox-static'], 'failed to download Debian package busybox-static', { cwd: debs });
      }
      deb = readdirSync(debs).find((f) => f.startsWith('busybox-static_') && f.endsWith('.deb'));
      if (!deb) throw new Error(`busybox-static .deb not found in ${debs} after apt-get download`);
    }
    const debPath = join(debs, deb);
    this.vars.DEBIAN_BUSYBOX_VERSION = upstreamVersion((await run('dpkg-deb', ['-f', debPath, 'Version'], `failed to read ${debPath}`)).trim());
    const key = hash({ deb: fileHash(debPath) }).slice(0, 16);
    const ref = `kubernetes-labs/busybox-base:${key}`;
    if ((await imageKeyOf(ref)) === key) return ref;
    const dir = mkdtempSync(join(tmpdir(), 'labs-busybox-'));
    try {
      const root = join(dir, 'root');
      await run('dpkg-deb', ['-x', debPath, root], `failed to unpack ${debPath}`);
      rmSync(join(root, 'usr'), { recursive: true, force: true });
      for (const d of ['usr/bin', 'usr/sbin', 'sbin', 'etc', 'tmp', 'root', 'var/run', 'home']) mkdirSync(join(root, d), { recursive: true });
      chmodSync(join(root, 'tmp'), 0o1777);
      // The static binary lists its applets; link each into /bin like the official image.
      const applets = (await run(join(root, 'bin', 'busybox'), ['--list'], 'failed to list busybox applets')).split('\n').filter(Boolean);
      await run('sh', ['-c', `cd "${root}/bin" && for a in ${applets.join(' ')}; do [ -e "$a" ] || ln -s busybox "$a"; done`], 'failed to link busybox applets');
      writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
      writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
      await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', join(dir, 'root.tar'), '.'], 'failed to pack busybox');
      await importTar(join(dir, 'root.tar'), ref, key, ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["sh"]']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return ref;
  }

  async baseRef(base: string): Promise<string> {
    if (base === 'scratch') return 'scratch';
    if (this.bases[base]) return this.bases[base];
    let ref: string;
    if (base === 'static') ref = await this.staticBase();
    else if (base === 'busybox') ref = await this.busyboxBase();
    else ref = await this.rootfsBase(base.slice('rootfs:'.length));
    this.bases[base] = ref;
    return ref;
  }

  /** Source path of a `copy:` entry: a toolchain binary or a file in this checkout. */
  private sourceOf(from: string): string {
    if (from.startsWith('kind/')) return join(repoRoot, from);
    const [component, binary] = from.split('/');
    const dir = this.binDirs[component];
    if (!dir) throw new Error(`kind/images.yaml: toolchain component ${component} was not built`);
    return join(dir, binary);
  }

  /** The image's `copy:` entries that go in: an optional component's only when it is built. */
  private copiesOf(image: ImageRecipe): [string, string][] {
    return Object.entries(image.copy).filter(([from]) => from.startsWith('kind/') || !image.optional.includes(from.split('/')[0]) || this.binDirs[from.split('/')[0]] !== undefined);
  }

  private async recipeKey(image: ImageRecipe, baseRef: string): Promise<string> {
    const inputs: Record<string, string> = {};
    for (const [from] of this.copiesOf(image)) {
      inputs[from] = from.startsWith('kind/') ? fileHash(this.sourceOf(from)) : ((await componentStamp(from.split('/')[0])) ?? 'missing');
    }
    return hash({ image, baseRef, inputs, recipe: imageRecipeVersion }).slice(0, 24);
  }

  /** Builds one catalog image (all its refs), unless an image with the same key exists. */
  async buildImage(image: ImageRecipe): Promise<'cached' | 'built'> {
    const baseRef = await this.baseRef(image.base);
    // Descriptions may name Debian versions that are known only once the base is built.
    const fresh = loadCatalog(this.vars).images.find((i) => i.refs[0] === image.refs[0]);
    if (fresh) Object.assign(image, { description: fresh.description, version: fresh.version, refs: fresh.refs });
    const key = await this.recipeKey(image, baseRef);
    if ((await imageKeyOf(image.refs[0])) === key) {
      await tagAll(image.refs);
      return 'cached';
    }
    this.log(`building ${image.refs.join(', ')}`);
    const dir = mkdtempSync(join(tmpdir(), 'labs-image-'));
    try {
      const lines = [`FROM ${baseRef}`];
      const copies = this.copiesOf(image);
      if (copies.length > 0) {
        for (const [from, to] of copies) {
          const dest = join(dir, 'files', to);
          mkdirSync(dirname(dest), { recursive: true });
          copyFileSync(this.sourceOf(from), dest);
          // Toolchain binaries are programs; files from kind/ keep their executable bit.
          chmodSync(dest, !from.startsWith('kind/') || statSync(this.sourceOf(from)).mode & 0o111 ? 0o755 : 0o644);
        }
        lines.push('COPY files/ /');
      }
      if (image.run) lines.push(`RUN set -e; ${image.run.trim().split('\n').join('; ')}`);
      lines.push('ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
      const title = image.refs[0].replace(/:[^:/]*$/, '').split('/').at(-1) ?? image.refs[0];
      const labels: Record<string, string> = {
        'org.opencontainers.image.title': title,
        'org.opencontainers.image.version': image.version ?? image.refs[0].replace(/^.*:/, ''),
        'org.opencontainers.image.description': image.description ?? `${title}, built offline by kubernetes-labs from binaries compiled from their Go modules`,
        'org.opencontainers.image.vendor': 'kubernetes-labs (local offline build)',
        [keyLabel]: key,
      };
      lines.push('LABEL ' + Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' \\\n      '));
      if (image.user) lines.push(`USER ${image.user}`);
      if (image.expose) lines.push(`EXPOSE ${image.expose.join(' ')}`);
      if (image.stopSignal) lines.push(`STOPSIGNAL ${image.stopSignal}`);
      if (image.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(image.entrypoint)}`);
      if (image.cmd) lines.push(`CMD ${JSON.stringify(image.cmd)}`);
      writeFileSync(join(dir, 'Dockerfile'), lines.join('\n') + '\n');
      await run('docker', ['build', '-q', '-t', image.refs[0], dir], `failed to build image ${image.refs[0]}`, { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
      await tagAll(image.refs);
      return 'built';
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Builds every catalog image but the on-demand ones (toolchain first). Returns the refs built and cached. */
  async buildAll(filter: (image: ImageRecipe) => boolean = (image) => !image.onDemand): Promise<{ built: string[]; cached: string[] }> {
    const images = this.catalog.images.filter(filter);
    const components = [...new Set(images.flatMap((i) => Object.keys(i.copy).filter((f) => !f.startsWith('kind/')).map((f) => f.split('/')[0])))];
    const optional = new Set(images.flatMap((i) => i.optional));
    // An optional component is used when it is built already, never built for these images.
    const present = await Promise.all([...optional].map(async (c) => ((await componentStamp(c)) ? c : undefined)));
    await this.ensureToolchain(components.filter((c) => !optional.has(c) || present.includes(c)));
    const built: string[] = [];
    const cached: string[] = [];
    for (const image of images) {
      const state = await this.buildImage(image);
      (state === 'built' ? built : cached).push(...image.refs);
    }
    return { built, cached };
  }
}
