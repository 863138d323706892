// The learner's shell reports each command it ran as a private OSC (kind/images/toolbox/profile.sh);
// the server's terminal takes those marks out of the output (src/terminal/shell-marks.ts) and
// reports the line with the shell's owner. Here: the parser on chunks split anywhere, oversize,
// malformed and unterminated marks, other escape sequences untouched; then the real profile.sh
// hook in real bash shells behind the real bridge — no byte of a mark reaches a browser, a
// watcher or a resumed scrollback, and a learner's forged mark is reported as theirs only.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { commandStarts } from '../../src/classroom/command-starts.ts';
import { listLabs } from '../../grader/catalog.ts';
import { ShellMarks, MAX_MARK_BYTES, encodeMark } from '../../src/terminal/shell-marks.ts';
import type { ShellCommand } from '../../src/terminal/session.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';
import type { TerminalAuthorizer } from '../../src/server/terminal-socket.ts';
import { openClient, startBridge, until, type Bridge, type Client } from './terminal-bridge-harness.ts';

/** Runs `input` through a fresh parser in the given pieces; returns the output text and the marks. */
function run(pieces: string[]): { output: string; marks: string[] } {
  const marks: string[] = [];
  const parser = new ShellMarks((line) => marks.push(line));
  const output = pieces.map((piece) => Buffer.from(parser.filter(Buffer.from(piece, 'latin1'))).toString('latin1')).join('');
  return { output, marks };
}
/** Every way of cutting `text` in two, and byte by byte. */
const cuts = (text: string): string[][] => [...Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]), [...text]];

const MARK = encodeMark('kubectl -n readiness get pods');

describe('shell marks (the parser)', () => {
  it('takes a mark out wherever the reads split it, BEL or ST terminated, and reports its line once', () => {
    for (const mark of [MARK, encodeMark('helm -n helm-create ls', 'st')]) {
      const stream = `before\r\n\x1b[32m$ \x1b[0m${mark}after ünïcode\r\n`;
      for (const pieces of cuts(stream)) {
        const { output, marks } = run(pieces);
        expect(output).toBe('before\r\n\x1b[32m$ \x1b[0mafter ünïcode\r\n');
        expect(marks).toHaveLength(1);
      }
    }
    expect(run([MARK]).marks).toEqual(['kubectl -n readiness get pods']);
    expect(run([encodeMark('echo "한국어" | kubectl -n startup apply -f -')]).marks).toEqual(['echo "한국어" | kubectl -n startup apply -f -']);
  });

  it('leaves every other escape sequence as it was, also split: titles, colours, other OSCs, a lone ESC', () => {
    const stream = '\x1b]0;learner@sandbox: ~\x07\x1b[1;31mred\x1b[0m\x1b]633;E;ls\x07\x1b]6973;other;x\x07\x1b\x1b[K\x1bPtmux;\x1b\x1b]52;c;x\x07\x1b\\done';
    for (const pieces of cuts(stream)) expect(run(pieces)).toEqual({ output: stream, marks: [] });
  });

  it('drops a mark over 2 KiB; what follows it is output', () => {
    const big = encodeMark('kubectl -n readiness ' + 'x'.repeat(MAX_MARK_BYTES));
    const { output, marks } = run([`a${big.slice(0, 1000)}`, big.slice(1000), '\r\nnext\r\n']);
    expect(marks).toEqual([]);
    expect(output.startsWith('a')).toBe(true);
    expect(output).toContain('\r\nnext\r\n');
    expect(output).not.toContain('6973');
    // The largest mark profile.sh sends (1,500 bytes of line) is well within it.
    expect(run([encodeMark('k'.repeat(1500))]).marks).toEqual(['k'.repeat(1500)]);
  });

  it('a malformed or unterminated mark swallows nothing but itself: output resumes at the first byte it cannot hold', () => {
    const prefix = MARK.slice(0, MARK.indexOf(';labs-command;') + ';labs-command;'.length);
    // Unterminated: the next line of output is there, from its newline on.
    expect(run([`${prefix}a3Vi`, 'ZWN0bA\r\nhello\r\n'])).toEqual({ output: '\r\nhello\r\n', marks: [] });
    // A byte outside base64 inside the payload.
    expect(run([`${prefix}a3Vi ZWN0bA==\x07rest`])).toEqual({ output: ' ZWN0bA==\x07rest', marks: [] });
    // ESC not followed by "\": the ESC starts the next sequence, which reaches the terminal whole.
    for (const pieces of cuts(`${prefix}a3Vi\x1b[31mred`)) expect(run(pieces)).toEqual({ output: '\x1b[31mred', marks: [] });
    // After all that, the next well-formed mark is read again.
    expect(run([`${prefix}a3Vi\r\n`, MARK, 'ok']).marks).toEqual(['kubectl -n readiness get pods']);
    // An empty line reports nothing.
    expect(run([encodeMark(''), 'x'])).toEqual({ output: 'x', marks: [] });
  });

  it('passes output without ESC through as the same bytes, and never throws out of a listener', () => {
    const parser = new ShellMarks(() => {
      throw new Error('listener broke');
    });
    const plain = Buffer.from('no escapes here\r\n');
    expect(parser.filter(plain)).toBe(plain);
    expect(Buffer.from(parser.filter(Buffer.from(`${MARK}after`))).toString()).toBe('after');
  });
});

const profile = fileURLToPath(new URL('../../kind/images/toolbox/profile.sh', import.meta.url));
/** bash as the toolbox starts it for the hook: profile.sh sourced by an interactive shell (no tmux here: the mark is sent unwrapped). */
const toolboxBash = (): ShellCommand => ({
  file: '/bin/bash',
  args: ['--noprofile', '--rcfile', profile, '-i'],
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', PS1: '$ ', HISTFILE: '/dev/null', KUBECONFIG: '/dev/null' },
  cwd: '/tmp',
});

/** ?as=<owner>: that owner's toolbox bash; ?watch=<owner>: a view of it. */
const toolboxAuthorizer: TerminalAuthorizer = (_req, url) => {
  const watch = url.searchParams.get('watch');
  return watch ? { watch } : { owner: url.searchParams.get('as') ?? '', shell: toolboxBash };
};

const bridges: Bridge[] = [];
const clients: Client[] = [];
const stores: ProgressStore[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const bridge of bridges.splice(0)) await bridge.close();
  for (const store of stores.splice(0)) store.close();
});

describe('shell marks from the toolbox profile, through the real bridge', () => {
  it('reports the command with the shell\'s owner; no mark reaches the browser, a watcher or a resumed scrollback', async () => {
    const bridge = await startBridge({ authorize: toolboxAuthorizer });
    bridges.push(bridge);
    const ran: Array<[string, string]> = [];
    bridge.sessions.onCommandRan((owner, line) => ran.push([owner, line]));
    const learner = await openClient(bridge, 'as=learner:1', { hello: { cols: 100, rows: 30 } });
    const watcher = await openClient(bridge, 'watch=learner:1', { ack: false, hello: { cols: 100, rows: 30 } });
    clients.push(learner, watcher);
    const ready = await learner.ready();
    learner.type('echo first-$((6*7))');
    await learner.waitFor('first-42');
    learner.type('');
    learner.type('kubectl -n readiness get pods 2>/dev/null; echo done-$((1+1))');
    await learner.waitFor('done-2');
    await until(() => ran.length === 2, 'two commands reported (an empty Enter is none)');
    expect(ran).toEqual([['learner:1', 'echo first-$((6*7))'], ['learner:1', 'kubectl -n readiness get pods 2>/dev/null; echo done-$((1+1))']]);
    await watcher.waitFor('done-2');

    const resumed = await openClient(bridge, 'as=learner:1', { hello: { cols: 100, rows: 30, session: ready.session, seq: 0 } });
    clients.push(resumed);
    await resumed.waitFor('done-2');
    for (const seen of [learner, watcher, resumed]) {
      expect(seen.text()).not.toContain('\x1b]6973');
      expect(seen.text()).not.toContain('labs-command');
    }
  });

  it("a learner's forged mark starts only that learner's lab, whatever the line claims", async () => {
    const bridge = await startBridge({ authorize: toolboxAuthorizer });
    bridges.push(bridge);
    const store = new ProgressStore(':memory:');
    stores.push(store);
    const labs = (await listLabs()).map((lab) => ({ id: lab.id, namespaces: [lab.namespace, ...(lab.setup?.namespaces ?? [])] }));
    const started: string[] = [];
    const onCommand = commandStarts({ store, labs: async () => labs, started: (learner, lab) => started.push(`${learner} ${lab}`) });
    const pending: Promise<void>[] = [];
    bridge.sessions.onCommandRan((owner, line) => pending.push(onCommand(owner, line)));

    const mallory = await openClient(bridge, 'as=learner:2', { hello: { cols: 100, rows: 30 } });
    const alice = await openClient(bridge, 'as=learner:1', { hello: { cols: 100, rows: 30 } });
    clients.push(mallory, alice);
    // A forged mark "for" learner 1, in learner 2's shell.
    mallory.type(`printf '\\033]6973;labs-command;%s\\007' "$(printf 'learner:1 kubectl -n startup get pods' | base64 -w0)"; echo forged-$((2*2))`);
    await mallory.waitFor('forged-4');
    alice.type('echo alice-$((3*3))');
    await alice.waitFor('alice-9');
    await until(() => pending.length >= 3, 'the marks reported');
    await Promise.all(pending);
    expect(started).toEqual(['learner:2 03-startup']);
    expect(store.progress('learner:2').map((p) => [p.lab, p.startedAt !== undefined])).toEqual([['03-startup', true]]);
    expect(store.progress('learner:1')).toEqual([]);
    // The typed printf is echoed as text; the mark it printed never arrives.
    expect(mallory.text()).not.toContain('\x1b]6973');
  });
});
