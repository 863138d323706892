// Runs a lesson's runnable blocks the way a learner's terminal does: one after another, in one
// shell session, so a `cd` or an `export` in one block holds for the next. Each block runs as
// `bash -eo pipefail` (stricter than an interactive shell: the first failing command fails the
// block), and the working directory and exported variables are carried to the next block.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LessonCodeBlock } from '../../src/content/code-meta.ts';

export type BlockResult = {
  /** 1-based position among the lesson's runnable blocks. */
  index: number;
  /** Line of the opening fence in the Markdown file. */
  line: number;
  code: string;
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  durationMs: number;
};

export type SessionOptions = {
  /** Environment for every block (PATH, KUBECONFIG, HOME…). */
  env: NodeJS.ProcessEnv;
  /** Where the first block starts (the learner's home). */
  startDir: string;
  /** A block that runs longer than this is killed and counts as failed. */
  blockTimeoutMs: number;
  /**
   * Run the blocks inside this container (`docker exec`, as its default user: a classroom
   * learner's sandbox) instead of on this host; `env` then only adds to the container's own.
   */
  container?: string;
};

/** A shell session whose state (cwd, exported variables) survives from block to block. */
export class ShellSession {
  private readonly stateDir: string;
  private readonly options: SessionOptions;

  constructor(options: SessionOptions) {
    this.options = options;
    if (options.container) {
      this.stateDir = `/tmp/lesson-shell-${randomBytes(4).toString('hex')}`;
      this.writeInContainer(join(this.stateDir, 'cwd'), options.startDir);
    } else {
      this.stateDir = mkdtempSync(join(tmpdir(), 'lesson-shell-'));
      writeFileSync(join(this.stateDir, 'cwd'), options.startDir);
    }
  }

  private writeInContainer(path: string, text: string): void {
    execFileSync('docker', ['exec', '-i', this.options.container!, 'sh', '-c', `mkdir -p "$(dirname '${path}')" && cat > '${path}'`], { input: text, timeout: 60_000 });
  }

  async run(block: LessonCodeBlock, index: number): Promise<BlockResult> {
    const script = join(this.stateDir, `block-${index}.sh`);
    const cwdFile = join(this.stateDir, 'cwd');
    const envFile = join(this.stateDir, 'env');
    (this.options.container ? this.writeInContainer.bind(this) : writeFileSync)(
      script,
      [
        'set -eo pipefail',
        `cd "$(cat '${cwdFile}')"`,
        `if [ -f '${envFile}' ]; then . '${envFile}'; fi`,
        // Save where the block left the shell, whether it passed or not.
        `trap 'pwd > "${cwdFile}"; export -p | grep -v -E "^declare -x (BASHOPTS|SHELLOPTS|BASH_VERSINFO|EUID|PPID|UID|SHLVL|_)=" > "${envFile}"' EXIT`,
        block.code,
        '',
      ].join('\n'),
    );
    const started = Date.now();
    return new Promise((resolve) => {
      const container = this.options.container;
      const extraEnv = Object.entries(this.options.env).flatMap(([name, value]) => (value === undefined ? [] : ['-e', `${name}=${value}`]));
      const child = spawn(container ? 'docker' : 'bash', container ? ['exec', ...extraEnv, container, 'bash', script] : [script], {
        env: container ? process.env : this.options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      const append = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.length > 200_000) output = output.slice(-100_000);
      };
      child.stdout.on('data', append);
      child.stderr.on('data', append);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, this.options.blockTimeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({
          index,
          line: block.line,
          code: block.code,
          exitCode: code,
          timedOut,
          output,
          durationMs: Date.now() - started,
        });
      });
    });
  }
}

/** A fresh home directory for a run, so `~/course/...` never touches the real one. */
export function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'lesson-home-'));
  mkdirSync(join(home, '.config'), { recursive: true });
  return home;
}

/** Namespaces a lesson uses, by the course convention that they are all named lesson-*. */
export function lessonNamespaces(blocks: LessonCodeBlock[]): string[] {
  const names = new Set<string>();
  const use = /(?:\bnamespace:?|\s-n|--namespace[= ])\s*(lesson-[a-z0-9]+(?:-[a-z0-9]+)*)\b/g;
  for (const block of blocks) for (const match of block.code.matchAll(use)) names.add(match[1]!);
  return [...names].sort();
}

/** Argo CD Applications a lesson creates (`kind: Application` manifests with a lesson-* name). */
export function lessonApplications(blocks: LessonCodeBlock[]): string[] {
  const names = new Set<string>();
  for (const block of blocks) {
    for (const match of block.code.matchAll(/kind: Application\n(?:.*\n)*?\s+name: (lesson-[a-z0-9-]+)/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

/** In-class git repositories a lesson clones (`…/lesson-*.git`), which an earlier run may have changed. */
export function lessonGitRepos(blocks: LessonCodeBlock[]): string[] {
  const names = new Set<string>();
  for (const block of blocks) for (const match of block.code.matchAll(/\/(lesson-[a-z0-9-]+)\.git\b/g)) names.add(match[1]!);
  return [...names].sort();
}
