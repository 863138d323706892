// The labs CLI as a person runs it: exit codes and one-line errors. No cluster involved; the
// "unreachable" case points at a closed loopback port, never a mocked API server.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin', 'labs');
const home = mkdtempSync(join(tmpdir(), 'labs-cli-home-'));

function labs(args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(bin, args, {
    encoding: 'utf8',
    env: { ...process.env, HOME: home, LABS_HOME: join(home, 'data'), KUBECONFIG: undefined, NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  return lines[0]!;
}

const unreachable = join(home, 'unreachable.kubeconfig');
writeFileSync(
  unreachable,
  `apiVersion: v1
kind: Config
clusters: [{name: gone, cluster: {server: "https://127.0.0.1:59999", insecure-skip-tls-verify: true}}]
contexts: [{name: gone, context: {cluster: gone, user: u}}]
current-context: gone
users: [{name: u, user: {token: abc}}]
`,
);

describe('labs CLI', { timeout: 60_000 }, () => {
  it('lists the eight labs, as text and as JSON', () => {
    const text = labs(['list']);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n')).toHaveLength(8);
    const json = labs(['list', '--json']);
    expect(JSON.parse(json.stdout).map((lab: { id: string }) => lab.id)).toContain('05-kustomize-overlays');
  });

  it('prints --help for every verb it has', () => {
    for (const verb of ['list', 'verify', 'hint', 'solve', 'reset']) {
      const help = labs([verb, '--help']);
      expect(help.code, verb).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: labs ${verb}`));
    }
    expect(labs(['--help']).stdout).toMatch(/verify +check a lab against the cluster/);
  });

  it('shows hints without a cluster', () => {
    const hint = labs(['hint', '01']);
    expect(hint.code).toBe(0);
    expect(hint.stdout).toContain('Custom-Header: Awesome');
  });

  it('exits 2 with one line for usage errors and unknown labs', () => {
    expect(oneLine(labs(['verify']).stderr)).toMatch(/missing <lab>/);
    expect(oneLine(labs(['verify', '1', '--wait', 'soon']).stderr)).toMatch(/--wait expects a number/);
    expect(oneLine(labs(['verify', '1', '--colour']).stderr)).toMatch(/Unknown option '--colour'/);
    expect(oneLine(labs(['frobnicate']).stderr)).toMatch(/unknown command "frobnicate"/);
    const unknown = labs(['verify', '42']);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toBe('labs verify: no lab "42" (labs: 01, 02, 03, 04, 05, 06, 07, 08; see `labs list`)');
  });

  it('exits 2 with one line when there is no kubeconfig', () => {
    const result = labs(['verify', '1']);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/no kubeconfig found: pass --kubeconfig, set KUBECONFIG/);
    expect(oneLine(labs(['verify', '1', '--kubeconfig', join(home, 'nope')]).stderr)).toMatch(/kubeconfig .*nope does not exist/);
  });

  it('exits 2 with one line when the cluster is unreachable, and one error object on stdout with --json', () => {
    const result = labs(['verify', '1', '--json', '--kubeconfig', unreachable]);
    expect(result.code).toBe(2);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/cannot reach cluster https:\/\/127\.0\.0\.1:59999 \(context gone\)/);
    expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'infrastructure', message: line.replace(/^labs verify: /, '') } });
    expect(oneLine(labs(['verify', '1', '--kubeconfig', unreachable, '--context', 'other']).stderr)).toMatch(
      /context "other" not found/,
    );
  });

  it('--json on exit 2: exactly one error object on stdout, the same shape for usage and infrastructure errors', () => {
    const cases: [string[], 'usage' | 'infrastructure', RegExp][] = [
      [['verify', '--json'], 'usage', /^missing <lab>/],
      [['verify', '42', '--json'], 'usage', /^no lab "42"/],
      [['verify', '1', '--json', '--wait', 'soon'], 'usage', /^--wait expects a number/],
      [['verify', '1', '--json', '--colour'], 'usage', /^Unknown option '--colour'/],
      [['verify', '1', '--json'], 'infrastructure', /^no kubeconfig found/],
      [['verify', '1', '--json', '--kubeconfig', join(home, 'nope')], 'infrastructure', /^kubeconfig .*nope does not exist/],
      [['verify', '1', '--json', '--kubeconfig', unreachable, '--context', 'other'], 'infrastructure', /^context "other" not found/],
      [['cluster', 'status', '--json', '--name', 'bad name!'], 'usage', /^invalid cluster name "bad name!"/],
      [['verify', '1', '--json'], 'usage', /^invalid cluster name "\.\." \(from LABS_CLUSTER\)/],
    ];
    for (const [index, [args, kind, message]] of cases.entries()) {
      const result = labs(args, index === cases.length - 1 ? { LABS_CLUSTER: '..' } : {});
      expect(result.code, args.join(' ')).toBe(2);
      oneLine(result.stderr);
      expect(result.stdout.trim().split('\n'), args.join(' ')).toHaveLength(1);
      const object = JSON.parse(result.stdout);
      expect(Object.keys(object), args.join(' ')).toEqual(['error']);
      expect(Object.keys(object.error).sort(), args.join(' ')).toEqual(['kind', 'message']);
      expect(object.error.kind, args.join(' ')).toBe(kind);
      expect(object.error.message, args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).toContain(object.error.message);
    }
    // Without --json, stdout stays empty on errors.
    expect(labs(['verify', '1']).stdout).toBe('');
    // The shape is documented where people look.
    expect(labs(['verify', '--help']).stdout).toContain('{"error": {"kind": "usage" | "infrastructure", "message": "<the stderr line>"}}');
  });

  it('exits 2 with one clear line for bad flag values and kubeconfigs, the same for every command', () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['verify', '1', '--wait', '-5'], {}, 'labs verify: --wait expects a number of seconds (0 or more), got "-5" (see labs verify --help)'],
      [['verify', '1', '--wait', ''], {}, 'labs verify: --wait needs a value, got "" (see labs verify --help)'],
      [['verify', '1', '--wait', ' '], {}, 'labs verify: --wait expects a number of seconds (0 or more), got " " (see labs verify --help)'],
      [['verify', '1', '--wait', '--json'], {}, 'labs verify: --wait needs a value (got the option --json) (see labs verify --help)'],
      [['verify', '1', '--wait'], {}, 'labs verify: --wait needs a value (see labs verify --help)'],
      // An empty --kubeconfig is an error, not a fall-back to KUBECONFIG (here a cluster that is not ours).
      [['verify', '1', '--kubeconfig', ''], { KUBECONFIG: unreachable }, 'labs verify: --kubeconfig needs a value, got "" (see labs verify --help)'],
      [['verify', '1', '--context', ''], {}, 'labs verify: --context needs a value, got "" (see labs verify --help)'],
      [['verify', '1'], { KUBECONFIG: delimiter }, `labs verify: KUBECONFIG="${delimiter}" names no kubeconfig file`],
      [['verify', '1', '--kubeconfig', '/etc'], {}, 'labs verify: kubeconfig /etc is a directory, not a kubeconfig file'],
      [['verify', '1'], { KUBECONFIG: '/etc' }, 'labs verify: kubeconfig /etc is a directory, not a kubeconfig file'],
      [['cluster', 'status', '--name', '-x'], {}, 'labs cluster: invalid cluster name "-x": use lowercase letters, digits and dashes, starting with a letter or digit, at most 41 characters'],
    ];
    for (const [args, env, line] of cases) {
      const result = labs(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(oneLine(result.stderr), args.join(' ')).toBe(line);
    }
  });

  it('exits 2 with one line naming the file and field of a malformed lab.yaml', () => {
    const catalog = mkdtempSync(join(tmpdir(), 'labs-cli-catalog-'));
    mkdirSync(join(catalog, '01-broken'));
    copyFileSync(new URL('./testdata/labs/invalid-points.yaml', import.meta.url), join(catalog, '01-broken', 'lab.yaml'));
    const result = labs(['verify', '1', '--kubeconfig', unreachable], { LABS_CATALOG_DIR: catalog });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/01-broken[\\/]lab\.yaml: tasks\[1\]\.points: /);
    expect(oneLine(labs(['list'], { LABS_CATALOG_DIR: catalog }).stderr)).toMatch(/lab\.yaml: tasks\[1\]\.points/);
  });

  it('says a verb is not available when its module is missing from the build', () => {
    for (const verb of ['up', 'cluster', 'addon']) {
      const result = labs([verb, '--help']);
      if (result.code === 0) continue; // this build has it
      expect(oneLine(result.stderr)).toBe(`labs ${verb}: not available in this build (src/cli/commands/${verb}.ts is missing)`);
    }
  });
});
