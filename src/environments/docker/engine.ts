// The Docker engine kind runs on: use a running one; otherwise install Debian's docker.io and
// start dockerd in the background. Where this host's sandbox lacks CAP_SYS_RESOURCE, privileged
// containers (kind nodes) fail with "unable to apply caps"; only then register the runc wrapper
// from kind/docker/ as dockerd's default runtime. Detected, never forced.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync, statfsSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDir } from '../../base/paths.ts';
import { run, sleep, tryRun } from '../../base/exec.ts';

export class DockerUnavailableError extends Error {}

export type DockerEngine = {
  serverVersion: string;
  /** dockerd was started by this call (its log is `logFile`). */
  started: boolean;
  logFile?: string;
  /** The CAP_SYS_RESOURCE runc wrapper is dockerd's default runtime (it was needed here). */
  capWrapper: boolean;
  /** The host runs cgroup v1 (Docker's CgroupVersion "1"): kubelets from 1.35 refuse it unless told. */
  cgroupV1: boolean;
  rootDir: string;
};

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const wrapperSource = join(repoRoot, 'kind', 'docker', 'runc-without-sys-resource');
/** Installed outside the checkout: dockerd keeps using it after the clone is gone. */
export const wrapperInstallPath = '/usr/local/libexec/kubernetes-labs/runc-without-sys-resource';
const wrapperRuntimeName = 'labs-runc';
const daemonJson = '/etc/docker/daemon.json';
const probeImage = 'kubernetes-labs/cap-probe:1';

type Log = (message: string) => void;

export async function dockerServerVersion(): Promise<string | undefined> {
  const r = await tryRun('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

const isRoot = () => process.getuid?.() === 0;

/** Installs Debian packages that are missing (apt-get only when needed). */
export async function aptEnsure(packages: string[], log: Log = () => {}): Promise<void> {
  const missing: string[] = [];
  for (const pkg of packages) {
    const r = await tryRun('dpkg-query', ['-W', '-f=${Status}', pkg]);
    if (!r.stdout.includes('install ok installed')) missing.push(pkg);
  }
  if (missing.length === 0) return;
  if (!isRoot()) throw new Error(`missing Debian packages ${missing.join(', ')}: install them (apt-get install -y ${missing.join(' ')}) or run as root`);
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const first = await tryRun('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  if (first.code === 0) return;
  await run('apt-get', ['update'], 'apt-get update failed', { env });
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], `failed to install ${missing.join(', ')}`, { env });
}

async function startDockerd(log: Log): Promise<string> {
  const logFile = join(dataDir(), 'docker', 'dockerd.log');
  mkdirSync(dirname(logFile), { recursive: true });
  log(`starting dockerd (log: ${logFile})`);
  const fd = openSync(logFile, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  for (let i = 0; i < 60; i++) {
    if (await dockerServerVersion()) return logFile;
    if (child.exitCode !== null) break;
    await sleep(500);
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-1)[0] : '';
  throw new DockerUnavailableError(`dockerd did not start (log: ${logFile})${tail ? `: ${tail}` : ''}`);
}

/** An image with nothing in it: running it shows whether runc can apply a privileged container's caps. */
async function ensureProbeImage(): Promise<void> {
  if ((await tryRun('docker', ['image', 'inspect', probeImage])).code === 0) return;
  // A tar holding one empty directory; `docker import` reads it from stdin.
  const block = Buffer.alloc(512);
  block.write('probe/', 0);
  block.write('0000755\0', 100); block.write('0000000\0', 108); block.write('0000000\0', 116);
  block.write('00000000000\0', 124); block.write('00000000000\0', 136);
  block.write('5', 156); block.write('ustar\x0000', 257);
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  await run('docker', ['import', '-', probeImage], 'failed to create the capability probe image', { input: Buffer.concat([block, Buffer.alloc(1024)]) });
}

/** Whether `docker run --privileged` fails for lack of a capability this sandbox cannot grant. */
export async function privilegedContainersBroken(): Promise<boolean> {
  await ensureProbeImage();
  // The image has no program: a healthy runtime fails later with "no such file", after caps are applied.
  const r = await tryRun('docker', ['run', '--rm', '--privileged', '--network', 'none', probeImage, '/labs-probe'], { timeoutMs: 60_000 });
  return /unable to apply caps/i.test(r.stderr);
}

async function registerCapWrapper(log: Log): Promise<void> {
  if (!isRoot()) throw new DockerUnavailableError('privileged containers fail here (unable to apply caps) and registering the runc wrapper needs root');
  await aptEnsure(['jq'], log);
  mkdirSync(dirname(wrapperInstallPath), { recursive: true });
  copyFileSync(wrapperSource, wrapperInstallPath);
  chmodSync(wrapperInstallPath, 0o755);
  const config = existsSync(daemonJson) ? (JSON.parse(readFileSync(daemonJson, 'utf8') || '{}') as Record<string, unknown>) : {};
  const runtimes = (config.runtimes ?? {}) as Record<string, unknown>;
  runtimes[wrapperRuntimeName] = { path: wrapperInstallPath };
  config.runtimes = runtimes;
  config['default-runtime'] = wrapperRuntimeName;
  mkdirSync(dirname(daemonJson), { recursive: true });
  writeFileSync(daemonJson, JSON.stringify(config, null, 2) + '\n');
  log(`registered ${wrapperInstallPath} as dockerd's default runtime (this sandbox lacks CAP_SYS_RESOURCE)`);
  // dockerd reloads runtimes and default-runtime on SIGHUP: no restart, running containers stay.
  const pid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim());
  process.kill(pid, 'SIGHUP');
  for (let i = 0; i < 20; i++) {
    await sleep(250);
    const r = await tryRun('docker', ['info', '--format', '{{.DefaultRuntime}}']);
    if (r.stdout.trim() === wrapperRuntimeName) return;
  }
  throw new DockerUnavailableError(`dockerd did not pick up the runc wrapper from ${daemonJson}`);
}

async function wrapperIsDefault(): Promise<boolean> {
  const r = await tryRun('docker', ['info', '--format', '{{.DefaultRuntime}}']);
  return r.stdout.trim() === wrapperRuntimeName;
}

/** Use the running engine, or install and start Debian's dockerd; make privileged containers work. */
export async function ensureDockerEngine(log: Log = () => {}): Promise<DockerEngine> {
  let started = false;
  let logFile: string | undefined;
  let serverVersion = await dockerServerVersion();
  if (!serverVersion) {
    const hasDockerd = (await tryRun('sh', ['-c', 'command -v dockerd'])).code === 0;
    const hasCli = (await tryRun('sh', ['-c', 'command -v docker'])).code === 0;
    if (!hasDockerd || !hasCli) {
      if (!isRoot()) throw new DockerUnavailableError('no Docker engine is running and Docker is not installed: install Docker (Debian: apt-get install docker.io) and start it');
      try {
        await aptEnsure(['docker.io'], log);
      } catch (e) {
        throw new DockerUnavailableError(`no Docker engine and cannot install one: ${(e as Error).message}`);
      }
    }
    if (existsSync('/var/run/docker.sock') && !isRoot()) {
      throw new DockerUnavailableError('cannot reach the Docker engine at /var/run/docker.sock: is your user in the docker group?');
    }
    if (!isRoot()) throw new DockerUnavailableError('no Docker engine is running and starting dockerd needs root: start Docker first');
    logFile = await startDockerd(log);
    started = true;
    serverVersion = (await dockerServerVersion()) ?? 'unknown';
  }
  let capWrapper = await wrapperIsDefault();
  if (!capWrapper && (await privilegedContainersBroken())) {
    log('privileged containers fail with "unable to apply caps": registering the runc wrapper');
    await registerCapWrapper(log);
    if (await privilegedContainersBroken()) throw new DockerUnavailableError('privileged containers still fail with the runc wrapper registered');
    capWrapper = true;
  } else if (capWrapper && existsSync(wrapperInstallPath) && readFileSync(wrapperInstallPath, 'utf8') !== readFileSync(wrapperSource, 'utf8')) {
    copyFileSync(wrapperSource, wrapperInstallPath); // keep the installed wrapper current
  }
  const [rootDir, cgroupVersion] = (await tryRun('docker', ['info', '--format', '{{.DockerRootDir}} {{.CgroupVersion}}'])).stdout.trim().split(' ');
  return { serverVersion, started, logFile, capWrapper, cgroupV1: cgroupVersion === '1', rootDir: rootDir || '/var/lib/docker' };
}

/** Free bytes on the file system holding `path` (or its nearest existing parent). */
export function freeBytes(path: string): number {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  const s = statfsSync(p);
  return s.bavail * s.bsize;
}

export class DiskTooSmallError extends Error {}

/** Throws a one-line error when `path` has less than `needGiB` free. */
export function requireFreeDisk(path: string, needGiB: number, what: string): void {
  const free = freeBytes(path) / 2 ** 30;
  if (free < needGiB) throw new DiskTooSmallError(`disk too small for ${what}: ${free.toFixed(1)} GiB free on ${path}, need ${needGiB} GiB`);
}

/**
 * kind's known issue: every node runs kubelet, kube-proxy and friends with inotify watchers, and
 * the kernel's default of 128 inotify instances per user runs out after three or four clusters
 * ("too many open files" in kube-proxy). Raise the limits as kind's documentation advises.
 * Returns what it changed (empty when nothing had to change or it cannot, e.g. not root).
 */
export function raiseInotifyLimits(log: Log = () => {}): string[] {
  const wanted: Record<string, number> = { max_user_instances: 512, max_user_watches: 524288 };
  const changed: string[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    const file = `/proc/sys/fs/inotify/${key}`;
    try {
      const current = Number(readFileSync(file, 'utf8').trim());
      if (current >= value) continue;
      if (!isRoot()) {
        log(`fs.inotify.${key} is ${current}: more than three clusters need ${value} (sysctl -w fs.inotify.${key}=${value})`);
        continue;
      }
      writeFileSync(file, `${value}\n`);
      changed.push(`fs.inotify.${key}=${value}`);
    } catch {
      // Not Linux, or /proc/sys is read-only here: kind then works with the defaults it gets.
    }
  }
  if (changed.length) log(`raised ${changed.join(', ')} (kind's advice for several clusters)`);
  return changed;
}
