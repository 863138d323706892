import { describe, expect, it } from 'vitest';
import { kubeconfigFiles, loadCredentials, staticCredentials } from '../../grader/credentials.ts';
import { resolveKubeconfig } from '../../grader/cluster-choice.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const b64 = (text: string) => Buffer.from(text).toString('base64');

const kindLike = `apiVersion: v1
kind: Config
clusters:
- name: kind-labs
  cluster:
    server: https://127.0.0.1:39393
    certificate-authority-data: ${b64('ca')}
contexts:
- name: kind-labs
  context: {cluster: kind-labs, user: kind-labs}
- name: other
  context: {cluster: kind-labs, user: token-user}
current-context: kind-labs
users:
- name: kind-labs
  user:
    client-certificate-data: ${b64('cert')}
    client-key-data: ${b64('key')}
- name: token-user
  user: {token: s3cret}
`;

describe('grader credentials', () => {
  it('reads a certificate kubeconfig (kind) without the Kubernetes client', async () => {
    const credentials = staticCredentials('/x/config', kindLike)!;
    expect(credentials).toMatchObject({ server: 'https://127.0.0.1:39393', contextName: 'kind-labs', via: 'static' });
    const auth = await credentials.authenticate();
    expect(auth.headers).toEqual({});
    expect(auth.agent).toBeDefined();
  });

  it('honours --context and bearer tokens', async () => {
    const credentials = staticCredentials('/x/config', kindLike, 'other')!;
    expect(credentials.contextName).toBe('other');
    expect((await credentials.authenticate()).headers).toEqual({ Authorization: 'Bearer s3cret' });
  });

  it('leaves exec plugins, auth providers and unknown contexts to client-node', () => {
    const exec = kindLike.replace("user: {token: s3cret}", "user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}}");
    expect(staticCredentials('/x/config', exec, 'other')).toBeUndefined();
    expect(staticCredentials('/x/config', kindLike, 'missing')).toBeUndefined();
    expect(staticCredentials('/x/config', 'not: [valid')).toBeUndefined();
  });

  it('falls back to client-node, which names an unknown context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-creds-'));
    writeFileSync(join(dir, 'config'), kindLike);
    await expect(loadCredentials(join(dir, 'config'), 'missing')).rejects.toThrow(
      `context "missing" not found in ${join(dir, 'config')} (contexts: kind-labs, other)`,
    );
    await expect(loadCredentials(join(dir, 'nope'))).rejects.toThrow(/kubeconfig .*nope does not exist/);
  });

  it('kubeconfigFiles: one line when the list names no file, a missing file or a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-creds-'));
    writeFileSync(join(dir, 'config'), kindLike);
    expect(kubeconfigFiles(`${join(dir, 'config')}${delimiter}${delimiter}`)).toEqual([join(dir, 'config')]);
    expect(() => kubeconfigFiles(delimiter, `KUBECONFIG="${delimiter}"`)).toThrow(`KUBECONFIG="${delimiter}" names no kubeconfig file`);
    expect(() => kubeconfigFiles('')).toThrow('kubeconfig "" names no kubeconfig file');
    expect(() => kubeconfigFiles(dir)).toThrow(`kubeconfig ${dir} is a directory, not a kubeconfig file`);
    expect(() => kubeconfigFiles(`${join(dir, 'config')}${delimiter}${join(dir, 'nope')}`)).toThrow(`kubeconfig ${join(dir, 'nope')} does not exist`);
  });

  it('resolveKubeconfig: an explicit or KUBECONFIG kubeconfig is used as given, never skipped when empty or bad', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-creds-'));
    writeFileSync(join(dir, 'config'), kindLike);
    const saved = process.env.KUBECONFIG;
    try {
      process.env.KUBECONFIG = join(dir, 'config');
      expect(() => resolveKubeconfig('')).toThrow('kubeconfig "" names no kubeconfig file');
      expect(() => resolveKubeconfig(dir)).toThrow('is a directory');
      expect(resolveKubeconfig()).toBe(join(dir, 'config'));
      process.env.KUBECONFIG = delimiter;
      expect(() => resolveKubeconfig()).toThrow(`KUBECONFIG="${delimiter}" names no kubeconfig file`);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it('a kubeconfig that cannot be read or is a directory is a ClusterError naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-creds-'));
    await expect(loadCredentials(dir)).rejects.toThrow(`kubeconfig ${dir} is a directory, not a kubeconfig file`);
    await expect(loadCredentials(delimiter)).rejects.toThrow('names no kubeconfig file');
  });
});
