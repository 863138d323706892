// A learner's home folder with a size of its own. A plain Docker volume grows until the host's
// disk is full (a `dd` of 2 GiB in a sandbox took 2 GiB of the host at 300 MB/s), so each home is
// an ext4 image file in the data dir (sparse: it takes only what is written), loop-mounted by the
// server, and the Docker volume binds that mount. Where loop mounts are not possible (no root, no
// loop devices) the home is a plain volume, and the server says so once.
import { existsSync, mkdirSync, openSync, closeSync, ftruncateSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from '../../base/paths.ts';
import { run, tryRun, lastErrorLine } from '../../base/exec.ts';

/** A home's size (LABS_HOME_MIB, default 1024 MiB): room for the course's files, clones and charts. */
export const homeSizeMiB = (): number => {
  const mib = Number(process.env.LABS_HOME_MIB ?? 1024);
  return Number.isFinite(mib) && mib >= 64 ? mib : 1024;
};

const homesDir = () => join(dataDir(), 'classroom-homes');
export const homeImage = (volume: string): string => join(homesDir(), `${volume}.ext4`);
export const homeMount = (volume: string): string => join(homesDir(), volume);

/** The learner's uid in the sandbox image (kind/images.yaml toolbox): the new filesystem's root is theirs. */
const learnerOwner = '1000:1000';

let warnedUnbounded = false;

async function mounted(dir: string): Promise<boolean> {
  return (await tryRun('mountpoint', ['-q', dir])).code === 0;
}

/** Mounts the home's image where its volume binds (after a reboot nothing is mounted); true when it had to. */
export async function mountHome(volume: string): Promise<boolean> {
  const image = homeImage(volume);
  const dir = homeMount(volume);
  if (!existsSync(image) || (await mounted(dir))) return false;
  mkdirSync(dir, { recursive: true });
  await run('mount', ['-o', 'loop,nosuid,nodev', image, dir], `mounting the home of ${volume}`);
  return true;
}

/**
 * The home volume `volume` with its labels, made bounded when new. An existing volume is kept
 * as it is (a plain one made before this existed stays plain, with the learner's files).
 */
export async function ensureHome(volume: string, labels: string[], log: (m: string) => void = () => {}): Promise<'bounded' | 'plain'> {
  const device = await tryRun('docker', ['volume', 'inspect', '--format', '{{index .Options "device"}}', volume]);
  if (device.code === 0) {
    if (device.stdout.trim() !== homeMount(volume)) return 'plain';
    await mountHome(volume);
    return 'bounded';
  }
  const image = homeImage(volume);
  const dir = homeMount(volume);
  try {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(image)) {
      const fd = openSync(image, 'w');
      ftruncateSync(fd, homeSizeMiB() * 2 ** 20);
      closeSync(fd);
      await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', `root_owner=${learnerOwner}`, image], `making the home filesystem of ${volume}`);
    }
    await mountHome(volume);
    // ext4's lost+found is the filesystem's, not the learner's: `ls -a ~` shows only their files.
    rmSync(join(dir, 'lost+found'), { recursive: true, force: true });
  } catch (error) {
    await tryRun('umount', [dir]);
    rmSync(image, { force: true });
    if (!warnedUnbounded) log(`classroom environments: learner homes are not size-bounded on this machine (${(error as Error).message.split('\n')[0]}); a learner can fill the disk`);
    warnedUnbounded = true;
    await run('docker', ['volume', 'create', ...labels, volume], `creating the home volume ${volume}`);
    return 'plain';
  }
  const made = await tryRun('docker', ['volume', 'create', '--driver', 'local', '--opt', 'type=none', '--opt', 'o=bind', '--opt', `device=${dir}`, ...labels, volume]);
  if (made.code !== 0) throw new Error(`creating the home volume ${volume}: ${lastErrorLine(made)}`);
  return 'bounded';
}

/** Removes a home: its volume, its mount and its image (the learner's files with them). */
export async function removeHome(volume: string): Promise<void> {
  await tryRun('docker', ['volume', 'rm', '-f', volume]);
  const dir = homeMount(volume);
  if (await mounted(dir)) {
    // A sandbox that is still being removed can hold it a moment: detach it then.
    if ((await tryRun('umount', [dir])).code !== 0) await tryRun('umount', ['-l', dir]);
  }
  rmSync(homeImage(volume), { force: true });
  rmSync(dir, { recursive: true, force: true });
}
