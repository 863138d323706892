// Hostile-input tests of OUR error handling: what the grader says when the "cluster" answers
// something broken. A tiny node:http server on 127.0.0.1 answers every request with a broken body
// (malformed JSON, a body cut off, a body that stalls, JSON that is not a list) chosen by the first
// segment of the server URL's path. It never answers a valid Kubernetes object: it is not a stand-in
// for an API server, and nothing here grades a lab against it.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, LabDefinitionError, verifyLab } from '../../grader/index.ts';
import { connect } from '../../grader/kube.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'labs-bad-cluster-'));
const seenAuthorization: string[] = [];

/** Broken answers, by scenario. */
type Respond = { raw: (text: string) => void; head: (headers?: Record<string, string>) => void; write: (text: string) => void; end: (text: string) => void; drop: () => void };
const hostile: Record<string, (respond: Respond) => void> = {
  garbage: ({ head, end }) => { head(); end('this is not JSON {'); },
  // No Content-Length and the connection closes mid-document: to HTTP the body ended normally.
  truncated: ({ raw }) => raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"items": [{"metadata": {"na'),
  // Content-Length promises more than arrives before the connection drops.
  short: ({ head, write, drop }) => { head({ 'Content-Length': '1000' }); write('{"items": ['); setTimeout(drop, 50); },
  // Headers, a few bytes, then nothing until the client gives up.
  stall: ({ head, write }) => { head(); write('{"items": ['); },
  null: ({ head, end }) => { head(); end('null'); },
  'not-a-list': ({ head, end }) => { head(); end('{"items": "nope"}'); },
  'items-without-metadata': ({ head, end }) => { head(); end('{"items": [42]}'); },
  // What a learner can put in their own cluster: lists far larger than anything graded needs.
  huge: ({ head, write, end }) => { head(); write('{"items": ['); for (let i = 0; i < 9; i++) write(`{"metadata": {"name": "p${i}", "annotations": {"a": "${'x'.repeat(1 << 20)}"}}},`); end('{"metadata": {"name": "last"}}]}'); },
  // A watch: a pod with a 200 KB annotation (sent in pieces), then an ordinary one.
  'huge-watch': ({ head, write, end }) => {
    head();
    write('{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"fat","namespace":"ana","uid":"u1","resourceVersion":"41","annotations":{"a":"');
    for (let i = 0; i < 20; i++) write('x'.repeat(10_000));
    write('"}},"spec":{}}}\n');
    end('{"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"thin","namespace":"ana","resourceVersion":"42"},"status":{"phase":"Running"}}}\n');
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuthorization.push(req.headers.authorization ?? '');
    const scenario = hostile[req.url!.split('/')[1]!]!;
    scenario({
      raw: (text) => req.socket.end(text),
      head: (headers = {}) => res.writeHead(200, { 'Content-Type': 'application/json', ...headers }),
      write: (text) => res.write(text),
      end: (text) => res.end(text),
      drop: () => res.socket?.destroy(),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function kubeconfig(serverUrl: string): string {
  const file = join(dir, `${encodeURIComponent(serverUrl)}.kubeconfig`);
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: hostile, cluster: {server: "${serverUrl}"}}]
contexts: [{name: hostile, context: {cluster: hostile, user: u}}]
current-context: hostile
users: [{name: u, user: {token: not-a-secret}}]
`);
  return file;
}

async function labs(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(join(root, 'bin', 'labs'), args, {
      env: { ...process.env, HOME: dir, LABS_HOME: join(dir, 'data'), KUBECONFIG: '', NO_COLOR: '1' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What verifying lab 1 against a scenario rejects with (in process, with a short timeout). */
async function verifyAgainst(scenario: string): Promise<Error> {
  const cluster = await connect({ kubeconfig: kubeconfig(`${base}/${scenario}`), timeoutMs: 500 });
  return verifyLab('1', { cluster }).then(
    () => { throw new Error(`verify against "${scenario}" did not fail`); },
    (error: Error) => error,
  );
}

describe('a cluster that answers garbage', { timeout: 60_000 }, () => {
  it('labs verify says the cluster answered malformed JSON (server URL named), exit 2, one error object with --json', async () => {
    const result = await labs(['verify', '1', '--json', '--kubeconfig', kubeconfig(`${base}/garbage`)]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/check\.ts|failed to run/);
    expect(lines[0]).toMatch(new RegExp(`^labs verify: cluster ${base}/garbage \\(context hostile\\) answered GET /api/\\S+ with malformed JSON \\(.+; 18 bytes\\)$`));
    expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'infrastructure', message: lines[0]!.replace(/^labs verify: /, '') } });
  });

  it('speaks plain http when the kubeconfig says http:, sending the same headers', async () => {
    seenAuthorization.length = 0;
    const result = await labs(['verify', '1', '--kubeconfig', kubeconfig(`${base}/truncated`)]);
    expect(result.stderr).not.toMatch(/Protocol "http:" not supported/);
    expect(result.stderr.trim()).toMatch(/with malformed JSON \(.+; 28 bytes, as if cut off\)$/);
    expect(seenAuthorization).toContain('Bearer not-a-secret');
  });

  it('blames the cluster, never the lab, for every broken answer', async () => {
    const expected: Record<string, RegExp> = {
      garbage: /answered GET \S+ with malformed JSON/,
      truncated: /answered GET \S+ with malformed JSON \(.*, as if cut off\)/,
      short: /cut off its answer to GET \S+ after 11 bytes \(aborted\)/,
      stall: /cut off its answer to GET \S+ after 11 bytes \(no complete answer within 0\.5 s\)/,
      null: /answered GET \S+ with JSON that is not a Kubernetes list: null instead of a list object/,
      'not-a-list': /answered GET \S+ with JSON that is not a Kubernetes list: no "items" array/,
      'items-without-metadata': /answered GET \S+ with JSON that is not a Kubernetes list: items\[0\] has no metadata\.name/,
    };
    for (const [scenario, message] of Object.entries(expected)) {
      const error = await verifyAgainst(scenario);
      expect(error, scenario).not.toBeInstanceOf(LabDefinitionError);
      expect(error, `${scenario}: ${error.message}`).toBeInstanceOf(ClusterError);
      expect(error.message, scenario).toContain(`cluster ${base}/${scenario} (context hostile)`);
      expect(error.message, scenario).toMatch(message);
      expect(error.message.split('\n'), scenario).toHaveLength(1);
    }
  });

  it('reads no more than its cap of a huge answer (a learner filled their cluster), blaming the cluster', async () => {
    const error = await verifyAgainst('huge');
    expect(error).toBeInstanceOf(ClusterError);
    expect(error.message).toMatch(new RegExp(`cluster ${base}/huge \\(context hostile\\) answered GET \\S+ with more than 8 MiB: too much to read`));
  });

  it("parses no watch event over its cap: an oversized pod's namespace and version are read from its head, the next event as usual", async () => {
    const reader = await connect({ kubeconfig: kubeconfig(`${base}/huge-watch`) });
    const events: [string, any][] = [];
    await new Promise<unknown>((resolve) => {
      void reader.watch('/api/v1/pods', { maxEventBytes: 64 << 10 }, (type, object) => events.push([type, object]), resolve);
    });
    expect(events).toEqual([
      ['ADDED', { kind: 'Pod', metadata: { name: 'fat', namespace: 'ana', resourceVersion: '41' }, oversized: true }],
      ['MODIFIED', { kind: 'Pod', metadata: { name: 'thin', namespace: 'ana', resourceVersion: '42' }, status: { phase: 'Running' } }],
    ]);
  });

  it('refuses a server URL it cannot speak to, in one line', async () => {
    await expect(connect({ kubeconfig: kubeconfig('ftp://127.0.0.1:1') })).rejects.toThrow(
      'cluster ftp://127.0.0.1:1 (context hostile): protocol "ftp:" is not supported (the API server\'s URL must start with https: or http:)',
    );
    await expect(connect({ kubeconfig: kubeconfig('not a url') })).rejects.toThrow(/server "not a url" of context hostile \(.+\) is not a URL/);
  });
});
