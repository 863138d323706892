// How the grader authenticates to the API server. Two sources, one result (node:https request
// options: an agent carrying the TLS material, and headers):
//   - static: a kubeconfig context with only certificates and/or a bearer token (kind's, most
//     classroom ones) is read directly — no need to load the whole Kubernetes client, which is
//     what keeps `labs verify` quick to start;
//   - client-node: anything else (exec plugins, auth providers, several KUBECONFIG files, basic
//     auth, proxies) goes through @kubernetes/client-node's KubeConfig, loaded only then.
import { readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { Agent, type RequestOptions } from 'node:https';
import { parse as parseYaml } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError } from './errors.ts';

export type Authentication = RequestOptions & { headers: Record<string, string> };

export type Credentials = {
  server: string;
  contextName: string;
  /** The kubeconfig file(s) they came from. */
  source: string;
  /** Which path produced them (for diagnostics and tests). */
  via: 'static' | 'client-node';
  authenticate(): Promise<Authentication>;
};

type Named<T> = { name: string } & T;
type KubeconfigFile = {
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  'current-context'?: string;
};

const staticClusterFields = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const staticUserFields = new Set(['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token']);

/** Credentials read straight from a single kubeconfig file, or undefined when it needs client-node. */
export function staticCredentials(source: string, text: string, context?: string): Credentials | undefined {
  let file: KubeconfigFile;
  try {
    file = (parseYaml(text) ?? {}) as KubeconfigFile;
  } catch {
    return undefined; // client-node reports the parse error
  }
  const contextName = context ?? file['current-context'];
  const ctx = file.contexts?.find((c) => c.name === contextName)?.context;
  if (!contextName || !ctx) return undefined;
  const cluster = file.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  const user = file.users?.find((u) => u.name === ctx.user)?.user ?? {};
  if (!cluster || typeof cluster.server !== 'string') return undefined;
  if (Object.keys(cluster).some((k) => !staticClusterFields.has(k))) return undefined;
  if (Object.keys(user).some((k) => !staticUserFields.has(k))) return undefined;

  const base = dirname(source);
  const read = (path: unknown) => readFileSync(isAbsolute(String(path)) ? String(path) : join(base, String(path)));
  const pem = (data: unknown, path: unknown) =>
    typeof data === 'string' ? Buffer.from(data, 'base64') : path !== undefined ? read(path) : undefined;
  const tls = {
    ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: pem(user['client-certificate-data'], user['client-certificate']),
    key: pem(user['client-key-data'], user['client-key']),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    servername: typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined,
  };
  const headers: Record<string, string> = typeof user.token === 'string' ? { Authorization: `Bearer ${user.token}` } : {};
  const agent = new Agent({ ...tls, keepAlive: true });
  return {
    server: cluster.server.replace(/\/$/, ''),
    contextName,
    source,
    via: 'static',
    authenticate: async () => ({ agent, headers }),
  };
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * The files of a kubeconfig source (a KUBECONFIG-style list). Throws one line when the list names
 * no file (`KUBECONFIG=":"`, `""`), or names one that is missing or a directory. `label` says where
 * the source came from in that line (default: kubeconfig "<source>").
 */
export function kubeconfigFiles(source: string, label = `kubeconfig ${JSON.stringify(source)}`): string[] {
  const files = source.split(delimiter).filter(Boolean);
  if (files.length === 0) throw new ClusterError(`${label} names no kubeconfig file`);
  for (const file of files) {
    let stats;
    try {
      stats = statSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ClusterError(code === 'ENOENT' || code === 'ENOTDIR' ? `kubeconfig ${file} does not exist` : `kubeconfig ${file} cannot be read: ${firstLine(error)}`);
    }
    if (stats.isDirectory()) throw new ClusterError(`kubeconfig ${file} is a directory, not a kubeconfig file`);
  }
  return files;
}

/** A client-node KubeConfig of `source` (one file, or several merged as kubectl does) on `context`. */
export async function clientNodeConfig(source: string, context?: string): Promise<KubeConfig> {
  const { KubeConfig: Config } = await import('@kubernetes/client-node');
  const config = new Config();
  const files = kubeconfigFiles(source);
  try {
    if (files.length === 1) config.loadFromFile(files[0]!);
    else {
      // Several files (KUBECONFIG=a:b): client-node merges them as kubectl does.
      const saved = process.env.KUBECONFIG;
      process.env.KUBECONFIG = source;
      try {
        config.loadFromDefault();
      } finally {
        process.env.KUBECONFIG = saved;
      }
    }
  } catch (error) {
    throw new ClusterError(`kubeconfig ${source} could not be read: ${firstLine(error)}`);
  }
  if (context) {
    if (!config.getContexts().some((c) => c.name === context)) {
      const known = config.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new ClusterError(`context "${context}" not found in ${source} (contexts: ${known})`);
    }
    config.setCurrentContext(context);
  }
  if (!config.getCurrentCluster()) throw new ClusterError(`kubeconfig ${source} has no current context (pass --context)`);
  return config;
}

/** Credentials through @kubernetes/client-node (any kubeconfig it supports). */
export async function clientNodeCredentials(source: string, context?: string): Promise<Credentials> {
  const config = await clientNodeConfig(source, context);
  const cluster = config.getCurrentCluster()!;
  // Reuse client-node's agent and headers for a minute (which bounds how long a token from an
  // exec plugin is reused) so a verify keeps one connection.
  let cached: { at: number; auth: Authentication } | undefined;
  return {
    server: cluster.server.replace(/\/$/, ''),
    contextName: config.getCurrentContext(),
    source,
    via: 'client-node',
    async authenticate() {
      if (!cached || Date.now() - cached.at > 60_000) {
        const options: RequestOptions = {};
        await config.applyToHTTPSOptions(options);
        const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, String(v)]));
        cached = { at: Date.now(), auth: { ...options, headers } };
      }
      return cached.auth;
    },
  };
}

/** Static when the kubeconfig allows it, else client-node. Errors name the file and context. */
export async function loadCredentials(source: string, context?: string): Promise<Credentials> {
  const files = kubeconfigFiles(source);
  if (files.length === 1) {
    let text;
    try {
      text = readFileSync(files[0]!, 'utf8');
    } catch (error) {
      throw new ClusterError(`kubeconfig ${files[0]} could not be read: ${firstLine(error)}`);
    }
    try {
      const fast = staticCredentials(files[0]!, text, context);
      if (fast) return fast;
    } catch {
      // e.g. a certificate file that cannot be read: let client-node say what is wrong
    }
  }
  return clientNodeCredentials(source, context);
}
