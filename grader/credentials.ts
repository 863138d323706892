// How the grader authenticates to the API server. Two sources, one result (node:https request
// options: an agent carrying the TLS material, and headers):
//   - static: a kubeconfig context with only certificates and/or a bearer token (kind's, most
//     classroom ones) is read directly — no need to load the whole Kubernetes client, which is
//     what keeps `labs verify` quick to start;
//   - client-node: anything else (exec plugins, auth providers, several KUBECONFIG files, basic
//     auth, proxies) goes through @kubernetes/client-node's KubeConfig, loaded only then.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { Agent, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError } from './errors.ts';

const require = createRequire(import.meta.url);

/**
 * The block-style YAML subset kubectl and kind write (mappings, `- ` sequences, plain and quoted
 * scalars, `{}`/`[]`), read without the yaml library, whose loading is a fifth of a `labs verify`.
 * Anything outside the subset — comments, anchors, tags, block or multi-line scalars, flow
 * collections, plain scalars YAML could read as something other than a string — gives undefined,
 * and the caller uses the yaml library. Exported for tests.
 */
export function parseSimpleYaml(text: string): unknown {
  const lines: { indent: number; text: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    const indent = raw.length - raw.trimStart().length;
    if (raw.slice(0, indent).includes('\t') || /[#&*!|>%@`]|^---|^\.\.\./.test(raw.trimStart())) return undefined;
    lines.push({ indent, text: raw.trimEnd().slice(indent) });
  }
  let at = 0;
  const fail = Symbol('not the simple subset');
  const scalar = (value: string): unknown => {
    if (value === '' || value === '~' || value === 'null') return null;
    if (value === 'true' || value === 'false') return value === 'true';
    if (value === '{}') return {};
    if (value === '[]') return [];
    if (/^-?(0|[1-9]\d{0,14})$/.test(value)) return Number(value);
    if (value.startsWith('"')) {
      try {
        const parsed: unknown = JSON.parse(value); // YAML's double-quoted escapes beyond JSON's: not the subset
        if (typeof parsed === 'string') return parsed;
      } catch { /* falls through */ }
      throw fail;
    }
    if (value.startsWith("'")) {
      if (!/^'([^']|'')*'$/.test(value)) throw fail;
      return value.slice(1, -1).replaceAll("''", "'");
    }
    // A plain scalar that is certainly a string in YAML 1.1 and 1.2 alike.
    if (/^[-+.\d]|^[?:,\[\]{}]|: |:$| $|^(y|n|yes|no|on|off|true|false|null|nan|inf)$/i.test(value)) throw fail;
    return value;
  };
  const block = (indent: number): unknown => {
    const first = lines[at]!;
    if (first.text === '-' || first.text.startsWith('- ')) {
      const list: unknown[] = [];
      while (at < lines.length && lines[at]!.indent === indent && (lines[at]!.text === '-' || lines[at]!.text.startsWith('- '))) {
        const rest = lines[at]!.text.slice(1).trimStart();
        if (rest === '') {
          at++;
          if (at < lines.length && lines[at]!.indent > indent) list.push(block(lines[at]!.indent));
          else list.push(null);
        } else if (/^[^'"\s][^:]*:( |$)/.test(rest)) {
          // "- key: value": a mapping whose first line is this one, at the column after "- ".
          lines[at] = { indent: indent + lines[at]!.text.indexOf(rest), text: rest };
          list.push(block(lines[at]!.indent));
        } else {
          list.push(scalar(rest));
          at++;
        }
      }
      return list;
    }
    const map: Record<string, unknown> = {};
    while (at < lines.length && lines[at]!.indent === indent) {
      const match = /^([^'"\s:-][^:]*|-[^\s:][^:]*):(?: +(.*))?$/.exec(lines[at]!.text);
      if (!match || Object.hasOwn(map, match[1]!)) throw fail;
      at++;
      const key = match[1]!;
      if (match[2] !== undefined && match[2] !== '') map[key] = scalar(match[2]);
      else if (at < lines.length && (lines[at]!.indent > indent || (lines[at]!.indent === indent && lines[at]!.text.startsWith('-')))) {
        map[key] = block(lines[at]!.indent);
      } else map[key] = null;
    }
    return map;
  };
  try {
    if (lines.length === 0) return null;
    const value = block(lines[0]!.indent);
    return at === lines.length ? value : undefined; // a line left over: indentation the subset does not explain
  } catch (error) {
    if (error === fail) return undefined;
    throw error;
  }
}

/** A kubeconfig's text as data: the simple subset directly, anything else through the yaml library (loaded only then). */
export function parseKubeconfigText(text: string): unknown {
  const simple = parseSimpleYaml(text);
  return simple !== undefined ? simple : (require('yaml') as typeof import('yaml')).parse(text);
}

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
    file = (parseKubeconfigText(text) ?? {}) as KubeconfigFile;
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
