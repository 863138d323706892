// The CLI bundle (bundle.ts, started by launch.cts): built once, reused while its inputs are
// unchanged, built again after an edit; and answering exactly as the sources do.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from './bundle.ts';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin', 'labs');
// Inside the checkout (the bundle finds its packages there), apart from the one `labs` uses.
const dir = join(root, 'node_modules', '.cache', `kubernetes-labs-cli-test-${process.pid}`);
const manifestFile = join(dir, 'manifest.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const labs = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const result = spawnSync(bin, args, {
    encoding: 'utf8',
    env: { ...process.env, LABS_CLI_BUNDLE_DIR: dir, LABS_CATALOG_DIR: undefined, LABS_CLI_SOURCES: undefined, KUBECONFIG: undefined, NO_COLOR: '1', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};
const manifest = () => JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;

describe('the CLI bundle', () => {
  it('is built by the first run, reused while its inputs are unchanged, built again after one changed', () => {
    rmSync(dir, { recursive: true, force: true });
    expect(labs(['--help']).status).toBe(0);
    const first = manifest();
    expect(readdirSync(dir).filter((f) => f.endsWith('.cjs'))).toEqual([first.bundle]);
    const inputs = first.inputs.map(([path]) => path);
    for (const file of ['src/cli/cli.ts', 'src/cli/commands/verify.ts', 'grader/verify.ts', 'labs/01-liveness/check.ts', 'labs', 'src/cli/commands']) {
      expect(inputs).toContain(join(root, file));
    }

    const written = readFileSync(manifestFile, 'utf8');
    expect(labs(['list']).status).toBe(0);
    expect(readFileSync(manifestFile, 'utf8')).toBe(written); // current: not built again

    // As if grader/verify.ts had been edited since: the next run builds again and records it as it is now.
    const edited = join(root, 'grader', 'verify.ts');
    writeFileSync(manifestFile, JSON.stringify({ ...first, inputs: first.inputs.map(([path, id]) => [path, path === edited ? 'edited' : id]) }));
    expect(labs(['--help']).status).toBe(0);
    expect(manifest().inputs.find(([path]) => path === edited)?.[1]).not.toBe('edited');
    expect(manifest().bundle).toBe(first.bundle); // same content, same name

    // A bundle of other content (an earlier build) is removed by the next build.
    writeFileSync(join(dir, 'cli-0123456789abcdef.cjs'), '');
    writeFileSync(manifestFile, JSON.stringify({ ...first, inputs: [[edited, 'edited']] }));
    expect(labs(['--help']).status).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.cjs'))).toEqual([first.bundle]);
  }, 120_000);

  it('answers exactly as the sources do (output, errors, exit status)', () => {
    const missing = join(dir, 'no-such-kubeconfig');
    const cases = [['--help'], ['list'], ['hint', '8'], ['verify', '--help'], ['verify', '99', '--json'], ['verify', '1', '--json', '--kubeconfig', missing], ['nope']];
    for (const args of cases) {
      expect(labs(args), `labs ${args.join(' ')}`).toEqual(labs(args, { LABS_CLI_SOURCES: '1' }));
    }
    expect(labs(['verify', '1', '--json', '--kubeconfig', missing]).status).toBe(2);
  }, 180_000); // fourteen runs of a CLI: minutes on a loaded 2-core machine, not a speed goal

  it('falls back to the sources when the bundle cannot be written', () => {
    mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
    const blocked = `${dir}-blocked`;
    writeFileSync(blocked, 'a file where the folder would be\n');
    try {
      const result = labs(['--help'], { LABS_CLI_BUNDLE_DIR: blocked });
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Usage: labs <command>');
    } finally {
      rmSync(blocked, { force: true });
    }
    expect(existsSync(join(blocked, 'manifest.json'))).toBe(false);
  });
});
