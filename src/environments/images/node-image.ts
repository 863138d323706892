// The kind base image and node image, assembled locally the way kind v0.33.0 builds them
// (images/base/Dockerfile, pkg/build/nodeimage/buildcontext.go) but from our own binaries and
// images, with no pull at any step. The node's containerd holds every image kubeadm and kind
// need, checked here (kind's own builder only warns on a missing one), and its registry config
// points every known registry at the local mirror.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, tryRun } from '../../base/exec.ts';
import { withFileLock } from '../file-lock.ts';
import { cacheDir } from '../../base/paths.ts';
import { repoRoot } from '../toolchain.ts';
import { hash, ImageBuilder, imageKeyOf, keyLabel } from './build.ts';
import { mirrorHostsToml } from '../mirror.ts';

type Log = (message: string) => void;

const baseComponents = ['containerd', 'runc', 'crictl', 'cni-plugins'];
/** Bump when the base or node image steps below change (the images are rebuilt). */
const baseRecipeVersion = 1;
const nodeRecipeVersion = 1;
const nodeComponents = ['kubernetes'];

/** Where `go mod download` put sigs.k8s.io/kind (its base image files and node manifests). */
export async function kindModuleDir(version: string): Promise<string> {
  const local = join(process.env.GOMODCACHE ?? join(process.env.HOME ?? '/root', 'go', 'pkg', 'mod'), `sigs.k8s.io/kind@${version}`);
  if (existsSync(join(local, 'images', 'base', 'files'))) return local;
  const goproxy = (await run('go', ['env', 'GOPROXY'], 'go env failed')).trim().replace(/,direct$/, '');
  const env = { ...process.env, GOPROXY: goproxy, GOFLAGS: '-mod=mod' };
  const out = await run('go', ['mod', 'download', '-json', `sigs.k8s.io/kind@${version}`], `failed to download module sigs.k8s.io/kind@${version}`, { env, cwd: tmpdir() });
  return (JSON.parse(out) as { Dir: string }).Dir;
}

function copyTree(from: string, to: string, mode: (path: string) => number): void {
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    const dest = join(to, entry);
    if (statSync(src).isDirectory()) {
      mkdirSync(dest, { recursive: true });
      copyTree(src, dest, mode);
    } else {
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(src, dest);
      chmodSync(dest, mode(dest));
    }
  }
}

/** Evaluates a Go `const name = \`…\` + ident + \`…\`` from a kind source file. */
function goStringConst(source: string, name: string): string {
  const consts: Record<string, string> = {};
  for (const m of source.matchAll(/const (\w+) = "([^"]*)"/g)) consts[m[1]] = m[2];
  const start = source.indexOf(`const ${name} = `);
  if (start < 0) throw new Error(`kind source: const ${name} not found`);
  let rest = source.slice(start + `const ${name} = `.length);
  let value = '';
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith('`')) {
      const end = rest.indexOf('`', 1);
      value += rest.slice(1, end);
      rest = rest.slice(end + 1);
    } else {
      const ident = /^(\w+)/.exec(rest)?.[1];
      if (!ident || consts[ident] === undefined) throw new Error(`kind source: cannot evaluate ${name} near "${rest.slice(0, 30)}"`);
      value += consts[ident];
      rest = rest.slice(ident.length);
    }
    const next = /^\s*\+/.exec(rest);
    if (!next) return value;
    rest = rest.slice(next[0].length);
  }
}

/** The offline node image's local name for a Kubernetes version (what `labs cluster image` builds). */
export const offlineNodeRef = (kubernetesVersion: string): string => `kubernetes-labs/kind-node:${kubernetesVersion}`;

export class NodeImageBuilder {
  readonly images: ImageBuilder;
  private readonly log: Log;

  constructor(images: ImageBuilder, log: Log = () => {}) {
    this.images = images;
    this.log = log;
  }

  get kindVersion(): string { return this.images.vars.KIND_VERSION; }
  get kubernetesVersion(): string { return this.images.vars.KUBERNETES_VERSION; }
  baseRef(): string { return `kubernetes-labs/kind-base:${this.kindVersion}`; }
  nodeRef(): string { return offlineNodeRef(this.kubernetesVersion); }

  /** kind's base image: systemd, containerd/runc/crictl/CNI plugins, kind's base files. */
  async ensureBaseImage(): Promise<string> {
    await this.images.ensureToolchain(baseComponents);
    const rootfs = await this.images.baseRef('rootfs:node');
    const kindDir = await kindModuleDir(this.kindVersion);
    const bin = (component: string) => this.images.binDirs[component];
    const stamps = await Promise.all(baseComponents.map((c) => tryRun('cat', [join(dirname(bin(c)), '.done')]).then((r) => r.stdout)));
    const ref = this.baseRef();
    // kind's version, not where its module lies: a module version's content never changes, and
    // the path does with HOME (a server started with a throwaway HOME rebuilt both images).
    const key = hash({ rootfs, kind: this.kindVersion, stamps, recipe: baseRecipeVersion }).slice(0, 24);
    if ((await imageKeyOf(ref)) === key) return ref;

    this.log(`building kind base image ${ref}`);
    const dir = mkdtempSync(join(tmpdir(), 'labs-kind-base-'));
    try {
      const files = join(dir, 'files');
      // Modes as kind's Dockerfile COPY --chmod: scripts 0755, everything else 0644.
      copyTree(join(kindDir, 'images', 'base', 'files'), files, (p) => (p.includes('/usr/local/bin/') || p.includes('/kind/bin/') ? 0o755 : 0o644));
      const place = (src: string, dest: string) => {
        mkdirSync(dirname(join(files, dest)), { recursive: true });
        copyFileSync(src, join(files, dest));
        chmodSync(join(files, dest), 0o755);
      };
      for (const b of ['containerd', 'ctr', 'containerd-shim-runc-v2']) place(join(bin('containerd'), b), `usr/local/bin/${b}`);
      place(join(bin('runc'), 'runc'), 'usr/local/sbin/runc');
      place(join(bin('crictl'), 'crictl'), 'usr/local/bin/crictl');
      for (const p of ['host-local', 'loopback', 'ptp', 'portmap']) place(join(bin('cni-plugins'), p), `opt/cni/bin/${p}`);
      const dockerfile = `FROM ${rootfs}
COPY files/ /
# kind images/base/Dockerfile, less the package install (the rootfs already has the packages).
RUN set -e; chmod 755 /kind/bin \\
 && find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete \\
 && rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \\
    /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \\
    /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/* \\
 && echo "ReadKMsg=no" >> /etc/systemd/journald.conf \\
 && ln -sf "$(command -v systemd || echo /lib/systemd/systemd)" /sbin/init \\
 && systemctl enable kubelet.service containerd.service undo-mount-hacks.service \\
 && systemctl mask systemd-binfmt.service \\
 && mkdir -p /etc/kubernetes/manifests \\
 && ctr oci spec | jq '.hooks.createContainer[.hooks.createContainer| length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \\
    | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json \\
 && containerd --version && runc --version && crictl --version
ENV container=docker
STOPSIGNAL SIGRTMIN+3
LABEL org.opencontainers.image.title="kind-base" org.opencontainers.image.version="${this.kindVersion}" \\
      org.opencontainers.image.description="kind ${this.kindVersion} base image rebuilt offline by kubernetes-labs: debootstrap'd Debian bookworm, containerd/runc/crictl/CNI plugins built from their Go modules" \\
      ${keyLabel}="${key}"
ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]
`;
      writeFileSync(join(dir, 'Dockerfile'), dockerfile);
      await run('docker', ['build', '-q', '-t', ref, dir], `failed to build kind base image ${ref}`, { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return ref;
  }

  /** The manifests kind applies from the node image: our CNI agent and kind's local-path storage. */
  async manifests(): Promise<Record<string, string>> {
    const kindDir = await kindModuleDir(this.kindVersion);
    const cniImage = this.images.catalog.images.find((i) => i.refs[0].includes('/cni-agent:'))?.refs[0];
    if (!cniImage) throw new Error('kind/images.yaml: no cni-agent image');
    const cni = readFileSync(join(repoRoot, 'kind', 'node', 'default-cni.yaml'), 'utf8').replaceAll('${CNI_AGENT_IMAGE}', cniImage);
    const storage = goStringConst(readFileSync(join(kindDir, 'pkg', 'build', 'nodeimage', 'const_storage.go'), 'utf8'), 'defaultStorageManifest');
    return { '/kind/manifests/default-cni.yaml': cni, '/kind/manifests/default-storage.yaml': storage };
  }

  /** Images referenced by a manifest (`image:` fields and the provisioner's --helper-image). */
  static imagesIn(manifest: string): string[] {
    const refs = new Set<string>();
    for (const m of manifest.matchAll(/^\s*(?:-\s*)?image:\s*(\S+)/gm)) refs.add(m[1]);
    for (const m of manifest.matchAll(/--helper-image\s*\n\s*-\s*(\S+)/g)) refs.add(m[1]);
    return [...refs];
  }

  /** Builds the node image unless one with the same key exists; returns its ref. */
  async ensureNodeImage(): Promise<string> {
    const base = await this.ensureBaseImage();
    await this.images.ensureToolchain(nodeComponents);
    const nodeImages = this.images.catalog.images.filter((i) => i.node);
    for (const image of nodeImages) await this.images.buildImage(image);
    const manifests = await this.manifests();
    const imageIds: string[] = [];
    for (const image of nodeImages) imageIds.push((await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image.refs[0]], `image ${image.refs[0]} missing`)).trim());
    const kubeBin = this.images.binDirs.kubernetes;
    const kubeStamp = (await tryRun('cat', [join(dirname(kubeBin), '.done')])).stdout;
    const ref = this.nodeRef();
    const inputs = { base: await imageKeyOf(base), imageIds, manifests, kubeStamp, hosts: mirrorHostsToml(), recipe: nodeRecipeVersion };
    const key = hash(inputs).slice(0, 24);
    if ((await imageKeyOf(ref)) === key) return ref;
    // Servers, CLIs and test runs create clusters at the same time: one builds, the others wait
    // and then find the image built (each build is minutes of a core).
    const locks = join(cacheDir(), 'locks');
    mkdirSync(locks, { recursive: true });
    return withFileLock(join(locks, 'node-image'), async () => {
      if ((await imageKeyOf(ref)) === key) return ref;
      // With the lock held, a build container still there is one a killed process left behind.
      const leftovers = (await tryRun('docker', ['ps', '-aq', '--filter', 'name=^labs-node-build-'])).stdout.split('\n').filter(Boolean);
      if (leftovers.length > 0) await tryRun('docker', ['rm', '-f', '-v', ...leftovers]);
      // Say what changed since the last build: a rebuild nobody expected is then traceable.
      const record = join(cacheDir(), 'node-image-inputs.json');
      const previous = existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as Record<string, unknown>) : {};
      const changed = Object.entries(inputs).filter(([name, value]) => JSON.stringify(previous[name]) !== JSON.stringify(value)).map(([name]) => name);
      this.log(`node image inputs changed since the last build: ${changed.join(', ') || 'none (the image was removed)'}`);
      await this.buildNodeImage(base, kubeBin, manifests, nodeImages.flatMap((i) => i.refs), ref, key);
      writeFileSync(record, JSON.stringify(inputs, null, 1) + '\n');
      return ref;
    }, (pid) => this.log(`waiting for another process${pid ? ` (pid ${pid})` : ''} to finish building the node image`));
  }

  private async buildNodeImage(base: string, kubeBin: string, manifests: Record<string, string>, refs: string[], ref: string, key: string): Promise<void> {
    this.log(`building node image ${ref} (Kubernetes ${this.kubernetesVersion})`);
    const container = `labs-node-build-${Date.now()}`;
    const exec = (args: string[], what: string, input?: string) => run('docker', ['exec', '-i', container, ...args], what, { input });
    try {
      await run('docker', ['run', '-d', '--entrypoint=sleep', `--name=${container}`, '--security-opt', 'seccomp=unconfined', base, 'infinity'], 'failed to start the node image build container');
      for (const b of ['kubeadm', 'kubelet', 'kubectl']) {
        await run('docker', ['cp', join(kubeBin, b), `${container}:/usr/bin/${b}`], `failed to copy ${b} into the node image`);
        await exec(['chmod', '0755', `/usr/bin/${b}`], `chmod ${b}`);
      }
      const write = (path: string, content: string) => exec(['sh', '-c', `mkdir -p "$(dirname '${path}')" && cat > '${path}'`], `failed to write ${path}`, content);
      await write('/kind/version', this.kubernetesVersion);
      for (const [path, content] of Object.entries(manifests)) await write(path, content);
      for (const [host, toml] of Object.entries(mirrorHostsToml())) await write(`/etc/containerd/certs.d/${host}/hosts.toml`, toml);

      // Import the images with kind's own importer flags (ctr of the containerd it ships).
      await exec(['bash', '-c', 'nohup containerd > /var/log/containerd-build.log 2>&1 &'], 'failed to start containerd in the build container');
      await exec(['bash', '-c', 'for i in $(seq 1 50); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1'], 'containerd did not start in the build container');
      this.log(`importing ${refs.length} images into the node's containerd`);
      await this.pipeSaveIntoCtr(refs, container);

      // Check the node's image list ourselves: kubeadm's list, the sandbox image, the manifests' images.
      const required = new Set<string>();
      const kubeadmList = await exec(['kubeadm', 'config', 'images', 'list', '--kubernetes-version', this.kubernetesVersion], 'kubeadm config images list failed');
      for (const line of kubeadmList.split('\n')) if (line.trim()) required.add(line.trim());
      const sandbox = /sandbox_image\s*=\s*"([^"]+)"/.exec(await exec(['cat', '/etc/containerd/config.toml'], 'read containerd config'))?.[1];
      if (sandbox) required.add(sandbox);
      for (const content of Object.values(manifests)) for (const image of NodeImageBuilder.imagesIn(content)) required.add(image);
      const present = new Set((await exec(['ctr', '--namespace=k8s.io', 'images', 'list', '-q'], 'ctr images list failed')).split('\n').map((l) => l.trim()));
      const normalize = (r: string) => (r.split('/')[0].includes('.') ? r : `docker.io/${r.includes('/') ? r : `library/${r}`}`);
      const missing = [...required].filter((r) => !present.has(normalize(r)));
      if (missing.length > 0) throw new Error(`node image ${ref} would lack images kubeadm/kind need: ${missing.join(', ')} (add them to kind/images.yaml with node: true)`);
      this.log(`node image holds all ${required.size} required images`);

      await exec(['bash', '-c', 'pkill containerd; for i in $(seq 1 50); do pgrep containerd >/dev/null || exit 0; sleep 0.2; done'], 'failed to stop containerd');
      await exec(['rm', '-f', '/var/log/containerd-build.log'], 'cleanup');
      await run('docker', ['commit',
        '--change', 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]',
        '--change', `LABEL ${keyLabel}=${key} org.opencontainers.image.title=kind-node org.opencontainers.image.version=${this.kubernetesVersion} org.opencontainers.image.description="kind node image for Kubernetes ${this.kubernetesVersion}, built offline by kubernetes-labs"`,
        container, ref], `failed to commit node image ${ref}`);
    } finally {
      await tryRun('docker', ['rm', '-f', '-v', container]);
    }
  }

  private async pipeSaveIntoCtr(refs: string[], container: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const save = spawn('docker', ['save', ...refs], { stdio: ['ignore', 'pipe', 'pipe'] });
      const load = spawn('docker', ['exec', '-i', container, 'ctr', '--namespace=k8s.io', 'images', 'import',
        '--label=io.cri-containerd.pinned=pinned', '--all-platforms', '--no-unpack', '--digests', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let errors = '';
      save.stderr.on('data', (d: Buffer) => { errors += d.toString(); });
      load.stderr.on('data', (d: Buffer) => { errors += d.toString(); });
      load.stdout.resume();
      save.stdout.pipe(load.stdin);
      const exited = (child: ChildProcess) => new Promise<number>((r) => child.on('close', (code) => r(code ?? 1)));
      Promise.all([exited(save), exited(load)]).then(([saveCode, loadCode]) => {
        if (saveCode === 0 && loadCode === 0) resolve();
        else reject(new Error(`failed to import images into the node image (docker save ${saveCode}, ctr import ${loadCode}): ${errors.trim().split('\n').at(-1) ?? ''}`));
      });
    });
  }
}
