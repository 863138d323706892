// The sandbox image is built by one process at a time on a machine (issue #23, item 4: two class
// servers started together built it at the same moment). Two processes call ensureToolboxImage at
// once, for real (Docker, the machine's lock in the cache): one waits for the other, naming its
// pid, and finds the image the first left; at most one of them builds. Seconds when the image is
// current. It does not make the image stale to watch exactly one build: the image's name is the
// machine's, and rebuilding it under a changed recipe would change other runs' sandboxes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../browser/harness.ts';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'labs-toolbox-lock-'));
const child = join(dir, 'ensure.mts');
writeFileSync(child, `import { ensureToolboxImage } from ${JSON.stringify(join(ROOT, 'src/environments/images/toolbox-image.ts'))};
const ref = await ensureToolboxImage((m) => console.log(m));
console.log(\`done \${ref} pid \${process.pid}\`);
`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the sandbox image build lock', () => {
  it('two processes at once: one waits for the other and finds the image built; at most one builds', async () => {
    const runs = await Promise.all([0, 1].map(() => exec(join(ROOT, 'node_modules/.bin/node'), [child], { timeout: 30 * 60_000, maxBuffer: 16 << 20 })));
    const outs = runs.map((r) => r.stdout);
    const pids = outs.map((out) => /done \S+ pid (\d+)/.exec(out)?.[1]);
    const refs = outs.map((out) => /done (\S+) pid/.exec(out)?.[1]);
    expect(refs[0]).toMatch(/\/toolbox:/);
    expect(refs[1]).toBe(refs[0]);
    // The one that waited names the one that held the lock.
    const waited = outs.findIndex((out) => /waiting for another process \(pid \d+\) building the sandbox image/.test(out));
    expect(waited, outs.join('\n---\n')).toBeGreaterThanOrEqual(0);
    expect(outs[waited]).toContain(`(pid ${pids[1 - waited]})`);
    const builds = outs.join('\n').split('\n').filter((line) => /^building \S*toolbox:/.test(line));
    expect(builds.length).toBeLessThanOrEqual(1);
    expect(outs[waited]).not.toMatch(/^building \S*toolbox:/m);
  });
});
