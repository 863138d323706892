// Running host programs (docker, kind, kubectl, git, shell helpers): the ground floor, for every library.
// One place that turns a failed command into a one-line error naming what was being done.
import { spawn, type SpawnOptions } from 'node:child_process';

export type RunOptions = {
  /** Text fed to the command's stdin. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command after this many milliseconds. */
  timeoutMs?: number;
  /** Called with each output line (stdout and stderr) as it arrives: progress for slow work. */
  onLine?: (line: string) => void;
};

export type RunResult = { code: number; stdout: string; stderr: string };

export class CommandError extends Error {
  readonly result: RunResult;
  constructor(message: string, result: RunResult) {
    super(message);
    this.name = 'CommandError';
    this.result = result;
  }
}

/** Runs a program and collects its output; never throws for a non-zero exit (see `run`). */
export function tryRun(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] };
    const child = spawn(cmd, args, spawnOptions);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let pending = '';
    const feed = (chunk: Buffer) => {
      if (!options.onLine) return;
      pending += chunk.toString('utf8');
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.onLine(line);
    };
    child.stdout?.on('data', (c: Buffer) => { out.push(c); feed(c); });
    child.stderr?.on('data', (c: Buffer) => { err.push(c); feed(c); });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending.trim() && options.onLine) options.onLine(pending);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n(killed by ${signal})` : ''),
      });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** The last meaningful line of a command's error output, for one-line messages. */
export function lastErrorLine(result: RunResult): string {
  const lines = (result.stderr + '\n' + result.stdout).split('\n').map((l) => l.trim()).filter(Boolean);
  const preferred = [...lines].reverse().find((l) => /error|fail|denied|not found|no such/i.test(l));
  return preferred ?? lines.at(-1) ?? `exit code ${result.code}`;
}

/** Runs a program; a non-zero exit throws `CommandError("<what>: <last error line>")`. */
export async function run(cmd: string, args: string[], what: string, options: RunOptions = {}): Promise<string> {
  const result = await tryRun(cmd, args, options);
  if (result.code !== 0) throw new CommandError(`${what}: ${lastErrorLine(result)}`, result);
  return result.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
