// The learner's sandbox on this machine (<env>-shell): the toolbox image (kind/images.yaml) as
// user learner (uid 1000), no Docker socket, no host path, every capability dropped, read-only
// root, CPU/memory/pid limits, on the environment's own network; its home is a volume of the
// learner's (home-volume.ts). The learner's shell is the tmux session "main" in it, so it
// outlives our server.
import type { ShellCommand } from '../../terminal/session.ts';
import { lastErrorLine, run, tryRun } from '../../base/exec.ts';
import type { Language } from '../../content/schema.ts';
import { ensureHome } from './home-volume.ts';
import { labsConfigFiles, writeFileStep } from './labs-config.ts';
import { label, labelArgs, removeContainer, sandboxName } from './docker-objects.ts';
import type { LocalEnv } from './local-records.ts';

export type SandboxLimits = { cpus: number; memoryMiB: number; pids: number };

/** The default sandbox limits: enough for kubectl, helm, git and an editor. */
export const defaultSandboxLimits: SandboxLimits = { cpus: 1, memoryMiB: 512, pids: 512 };
/** Where the sandbox keeps what the learner's `labs` thin client reads. */
export const sandboxHome = '/home/learner';
export const tokenFile = `${sandboxHome}/.config/labs/token`;
export const serverFile = `${sandboxHome}/.config/labs/server`;
const sandboxUser = '1000:1000';
const sandboxHostname = 'lab';

/** One field of a CSV value (docker --mount), quoted when it holds a comma or a quote. */
const csvField = (field: string): string => (/[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

export type SandboxSettings = {
  /** The Docker pool the sandboxes and homes are labelled with. */
  pool: string;
  limits: SandboxLimits;
  /** The class server as a sandbox reaches it (LocalEnvironmentsOptions.serverUrl). */
  serverUrl?: string | (() => Promise<string>);
  /** What `labs-server` resolves to in sandboxes (default Docker's host-gateway). */
  serverAddress?: string;
  /** Files every new home starts with, by path under the home. */
  starterFiles?: () => Promise<Record<string, string>>;
  log: (line: string) => void;
};

export class DockerSandboxes {
  /** dockerd's default runtime is the CAP_SYS_RESOURCE wrapper (sandboxes use plain runc). */
  capWrapper = false;
  private readonly settings: SandboxSettings;

  constructor(settings: SandboxSettings) {
    this.settings = settings;
  }

  /** The sandbox on the environment's network with `home` (made by this run when new), holding the cluster's kubeconfig. */
  async start(env: LocalEnv, home: string, toolbox: string, kubeconfig: (env: string) => Promise<string>): Promise<void> {
    const { pool, limits, serverAddress, starterFiles, log } = this.settings;
    const sandbox = sandboxName(env.name);
    const mount = ['type=volume', `source=${home}`, `target=${sandboxHome}`,
      `volume-label=${label.pool}=${pool}`, `volume-label=${label.role}=home`].map(csvField).join(',');
    // The class server's address goes in a file (below), not the container's environment: a
    // restarted server may listen elsewhere, and an adopted sandbox's file is rewritten then.
    const environment = ['LANG=C.UTF-8', 'TERM=xterm-256color', `LABS_TOKEN_FILE=${tokenFile}`];
    const args = [
      'run', '-d', '--name', sandbox, '--hostname', sandboxHostname,
      ...labelArgs({ [label.pool]: pool, [label.role]: 'sandbox', [label.env]: env.name, [label.home]: home }),
      // dockerd's default runtime may be the CAP_SYS_RESOURCE wrapper, which only privileged kind nodes need.
      ...(this.capWrapper ? ['--runtime', 'runc'] : []),
      '--init', '--user', sandboxUser, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
      '--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev,size=256m,mode=1777',
      '--memory', `${limits.memoryMiB}m`, '--memory-swap', `${limits.memoryMiB}m`, '--cpus', String(limits.cpus), '--pids-limit', String(limits.pids),
      '--network', env.network, '--add-host', `labs-server:${serverAddress ?? 'host-gateway'}`,
      '--mount', mount,
      ...environment.flatMap((e) => ['-e', e]),
      '--restart', 'unless-stopped',
      toolbox,
    ];
    await ensureHome(home, labelArgs({ [label.pool]: pool, [label.role]: 'home' }), (m) => log(m));
    const started = await tryRun('docker', args);
    if (started.code !== 0) {
      // A sandbox left by an earlier attempt: replace it.
      if (!/already in use|Conflict/i.test(started.stderr)) throw new Error(`starting sandbox ${sandbox}: ${lastErrorLine(started)}`);
      await removeContainer(sandbox);
      await run('docker', args, `starting sandbox ${sandbox}`);
    }
    env.home = home;
    const files: Record<string, string> = { [`${sandboxHome}/.kube/config`]: await kubeconfig(env.name) };
    const server = await this.serverUrl();
    if (server) files[serverFile] = server + '\n';
    await this.write(env.name, files);
    const starters = Object.fromEntries(Object.entries((await starterFiles?.()) ?? {}).map(([path, text]) => [`${sandboxHome}/${path}`, text]));
    if (Object.keys(starters).length > 0) await this.write(env.name, starters, { keepExisting: true });
    // The learner's shell starts now, not at join: attaching to a running bash shows its prompt at
    // once (a login bash loads kubectl's, helm's and argocd's completions, seconds on a busy machine).
    const shell = await tryRun('docker', ['exec', '-u', sandboxUser, '-w', sandboxHome, '-e', 'TERM=xterm-256color', sandbox, 'tmux', 'new-session', '-d', '-s', 'main'], { timeoutMs: 30_000 });
    if (shell.code !== 0 && !/duplicate session/.test(shell.stderr)) log(`classroom environments: starting the shell in ${sandbox}: ${lastErrorLine(shell)} (it starts at the first attach instead)`);
  }

  /** What the learner's `labs` reads: their bearer token (where LABS_TOKEN_FILE says) and their language, in one exec. */
  async writeLabsConfig(env: string, config: { token?: string; language?: Language }): Promise<void> {
    const files = labsConfigFiles(sandboxHome, tokenFile, config);
    if (Object.keys(files).length > 0) await this.write(env, files);
  }

  /** Replaces the sandbox's kubeconfig (an adopted sandbox made before the guardrails held the admin's). */
  writeKubeconfig(env: string, kubeconfig: string): Promise<void> {
    return this.write(env, { [`${sandboxHome}/.kube/config`]: kubeconfig });
  }

  /** An adopted sandbox learns where this server listens now (it may have moved). */
  async tellServerAddress(env: string): Promise<void> {
    const server = await this.serverUrl();
    if (server) await this.write(env, { [serverFile]: server + '\n' }).catch((e: unknown) => this.settings.log(`classroom environments: ${(e as Error).message}`));
  }

  /** The learner's terminal: the tmux session "main" in the sandbox, through `docker exec`. */
  shell(env: string): ShellCommand {
    const variables: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', TERM: 'xterm-256color' };
    for (const key of ['HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CONTEXT']) if (process.env[key]) variables[key] = process.env[key] as string;
    return {
      file: 'docker',
      args: ['exec', '-it', '-u', 'learner', '-w', sandboxHome, '-e', 'TERM=xterm-256color', sandboxName(env), 'tmux', 'new-session', '-A', '-s', 'main'],
      env: variables,
      cwd: '/',
    };
  }

  /** The shell's last keystroke or output (seconds since the epoch) and its attached terminals; undefined when tmux does not answer. */
  async activity(env: string): Promise<{ lastSeconds: number; attached: number } | undefined> {
    const r = await tryRun('docker', ['exec', '-u', sandboxUser, sandboxName(env), 'tmux', 'display-message', '-p', '-t', 'main', '#{session_activity} #{session_attached}'], { timeoutMs: 10_000 });
    if (r.code !== 0) return undefined;
    const [lastSeconds, attached] = r.stdout.trim().split(' ').map(Number);
    return { lastSeconds, attached };
  }

  remove(env: string): Promise<boolean> {
    return removeContainer(sandboxName(env));
  }

  /** The class server as sandboxes reach it; waits for the server to listen when given as a function. */
  private async serverUrl(): Promise<string | undefined> {
    const url = this.settings.serverUrl;
    return typeof url === 'function' ? url() : url;
  }

  /**
   * Writes files (mode 600) in the sandbox's home as the learner, in one exec: no host path, no
   * root. `keepExisting`: a file the learner already has (and may have edited) stays as it is.
   */
  private async write(env: string, files: Record<string, string>, options: { keepExisting?: boolean } = {}): Promise<void> {
    for (const path of Object.keys(files)) {
      if (!path.startsWith(`${sandboxHome}/`) || path.includes('/../') || /\s/.test(path)) throw new Error(`refusing to write ${path} outside ${sandboxHome}`);
    }
    // stdin: a path line, then the content in base64 on one line, for each file.
    const input = Object.entries(files).map(([path, content]) => `${path}\n${Buffer.from(content).toString('base64')}\n`).join('');
    const keep = options.keepExisting ? '[ -e "$path" ] && continue; ' : '';
    const script = `umask 077; while IFS= read -r path && IFS= read -r data; do ${keep}${writeFileStep} || exit 1; done`;
    await run('docker', ['exec', '-i', '-u', sandboxUser, sandboxName(env), 'sh', '-c', script], `writing ${Object.keys(files).join(', ')} in sandbox ${sandboxName(env)}`, { input });
  }
}
