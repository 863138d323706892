// The toolbox image's shell integration on the real Docker engine (issue #21): the classroom
// sandbox image, built by the same offline image builder the classroom uses (so a changed
// profile.sh or tmux.conf is built into it), runs the learner's bash inside tmux, attached the way
// the classroom attaches it (`docker exec -it … tmux new-session -A -s main`, local.ts). After
// `kubectl -n readiness get pods` the bash hook's mark passes through tmux, the server's terminal
// session takes it out of the output and reports the line with the session's owner, and the
// classroom's handler starts lab 2 for that learner. No cluster is needed: kubectl's error is fine.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLabs } from '../../grader/catalog.ts';
import { commandStarts } from '../../src/classroom/command-starts.ts';
import { ImageBuilder } from '../../src/environments/images/build.ts';
import { decodeOutput } from '../../src/terminal/protocol.ts';
import { SessionManager } from '../../src/terminal/session-manager.ts';
import type { TerminalSession } from '../../src/terminal/session.ts';
import type { TerminalSink } from '../../src/terminal/sink.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

const exec = promisify(execFile);
const container = `labs-marks-test-${Math.random().toString(36).slice(2, 8)}`;
const checkout = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
let image = '';
let manager: SessionManager | undefined;

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const builder = new ImageBuilder((line) => { if (process.env.LABS_VERBOSE) console.error(`[toolbox image] ${line}`); });
  const toolbox = builder.catalog.images.find((i) => i.refs[0]!.includes('/toolbox:'));
  if (!toolbox) throw new Error('kind/images.yaml: no toolbox image');
  const { built } = await builder.buildAll((i) => i === toolbox);
  if (process.env.LABS_VERBOSE) console.error(`[toolbox image] ${built.length > 0 ? 'built' : 'cached'} ${toolbox.refs[0]}`);
  image = toolbox.refs[0]!;
  await exec('docker', ['run', '-d', '--name', container, '--init', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--network', 'none', '-e', 'LANG=C.UTF-8', image]);
}, 1_200_000);

afterAll(async () => {
  manager?.dispose();
  await exec('docker', ['rm', '-f', container]).catch(() => undefined);
});

describe("the toolbox shell's command marks, on Docker", () => {
  it("the image carries this checkout's profile.sh and tmux.conf (the builder's key covers them)", async () => {
    const cat = async (path: string) => (await exec('docker', ['exec', container, 'cat', path])).stdout;
    expect(await cat('/etc/profile.d/labs.sh')).toBe(checkout('kind/images/toolbox/profile.sh'));
    expect(await cat('/etc/tmux.conf')).toBe(checkout('kind/images/toolbox/tmux.conf'));
    expect((await exec('docker', ['exec', container, 'tmux', '-V'])).stdout).toMatch(/^tmux 3\.(?:[3-9]|\d{2})/);
  });

  it('`kubectl -n readiness get pods` in tmux: the server sees the line, the browser never the mark, lab 2 starts for that learner', async () => {
    manager = new SessionManager({ idleTimeoutMs: 600_000 });
    const ran: Array<[string, string]> = [];
    manager.onCommandRan((owner, line) => ran.push([owner, line]));
    const store = new ProgressStore(':memory:');
    const labs = (await listLabs()).map((lab) => ({ id: lab.id, namespaces: [lab.namespace, ...(lab.setup?.namespaces ?? [])] }));
    const handled: Promise<void>[] = [];
    const onCommand = commandStarts({ store, labs: async () => labs, started: () => {} });
    manager.onCommandRan((owner, line) => handled.push(onCommand(owner, line)));

    // The classroom's shell command for a sandbox (src/environments/classroom/docker-sandbox.ts shell()).
    const session: TerminalSession = manager.create({ cols: 120, rows: 30 }, {
      owner: 'learner:1',
      shell: { file: 'docker', args: ['exec', '-it', '-u', 'learner', '-w', '/home/learner', '-e', 'TERM=xterm-256color', container, 'tmux', 'new-session', '-A', '-s', 'main'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' }, cwd: '/' },
    });
    let seen = Buffer.alloc(0);
    const sink: TerminalSink = {
      sendOutput(frame) {
        const decoded = decodeOutput(frame);
        if (!decoded.ok) return;
        seen = Buffer.concat([seen, decoded.value.bytes]);
        session.ack(decoded.value.seq + decoded.value.bytes.length);
      },
      sendControl() {},
      close() {},
    };
    session.attach(sink);
    await until(() => seen.toString().includes('learner@'), 'the prompt');
    session.input(Buffer.from('echo ready-$((6*7))\r'));
    await until(() => seen.toString().includes('ready-42'), 'the first command');
    session.input(Buffer.from('kubectl -n readiness get pods\r'));
    await until(() => ran.some(([, line]) => line.startsWith('kubectl')), 'the mark of the kubectl command');
    await Promise.all(handled);

    expect(ran).toEqual([['learner:1', 'echo ready-$((6*7))'], ['learner:1', 'kubectl -n readiness get pods']]);
    expect(seen.toString('latin1')).not.toContain('\x1b]6973');
    expect(seen.toString('latin1')).not.toContain('labs-command');
    expect(seen.toString('latin1')).not.toContain('\x1bPtmux');
    expect(store.progress('learner:1')).toMatchObject([{ lab: '02-readiness', attempts: 0, checks: [] }]);
    expect(store.progress('learner:1')[0]!.startedAt).toBeDefined();
    store.close();
  });
});
