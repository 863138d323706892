// `npm start -- …` with bad options: one line naming the option, exit 2, before anything starts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const start = join(import.meta.dirname, '..', '..', 'src', 'server', 'start.ts');

describe('start.ts options', () => {
  it.each([
    [['--classroom', '--reclaim', '0'], /^labs: --reclaim minutes must be a positive number, got "0"$/],
    [['--classroom', '--reclaim', 'soon'], /^labs: --reclaim minutes must be a positive number, got "soon"$/],
    [['--classroom', '--freeze', 'soon'], /^labs: --freeze minutes must be a number, 0 or more, got "soon"$/],
    [['--classroom', '--freeze=-1'], /^labs: --freeze minutes must be a number, 0 or more, got "-1"$/],
    [['--classroom', '--warm=-1'], /^labs: --warm must be a whole number, got "-1"$/],
    [['--classroom', '--max-environments', '0'], /^labs: --max-environments must be a whole number of at least 1, got "0"$/],
  ])('%j', (args, message) => {
    const run = spawnSync(process.execPath, [start, '--port', '0', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LABS_NO_CLUSTER: '1' } });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr.trim()).toMatch(message);
  });
});
