// Cluster access for graders: which kubeconfig, which context, and read-only HTTP calls made with
// @kubernetes/client-node's authentication (certificates, tokens, exec plugins). Objects come back
// as the API's JSON, the same shape lists and watches deliver, so checks see one representation.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HttpMethod, KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { clusterKubeconfig } from '../src/environments/paths.ts';
import { ClusterError } from './errors.ts';

export type ClusterOptions = {
  /** Path to a kubeconfig file. Default: KUBECONFIG, else the learner cluster, else ~/.kube/config. */
  kubeconfig?: string;
  /** Context in that kubeconfig. Default: its current-context. */
  context?: string;
};

/** Which kubeconfig a command uses, in the documented order. undefined when none exists. */
export function resolveKubeconfig(explicit?: string): string | undefined {
  if (explicit) return explicit;
  if (process.env.KUBECONFIG) return process.env.KUBECONFIG;
  const learner = clusterKubeconfig();
  if (existsSync(learner)) return learner;
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}

export function loadKubeConfig(options: ClusterOptions = {}): { config: KubeConfig; source: string } {
  const source = resolveKubeconfig(options.kubeconfig);
  if (!source) {
    throw new ClusterError(
      'no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create the learner cluster with `labs cluster create`',
    );
  }
  const config = new KubeConfig();
  const files = source.split(process.platform === 'win32' ? ';' : ':').filter(Boolean);
  const missing = files.find((file) => !existsSync(file));
  if (missing) throw new ClusterError(`kubeconfig ${missing} does not exist`);
  try {
    if (files.length === 1) config.loadFromFile(files[0]!);
    else {
      // Several files (KUBECONFIG=a:b): let client-node merge them as kubectl does.
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
  if (options.context) {
    if (!config.getContexts().some((c) => c.name === options.context)) {
      const known = config.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new ClusterError(`context "${options.context}" not found in ${source} (contexts: ${known})`);
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) {
    throw new ClusterError(`kubeconfig ${source} has no current context (pass --context)`);
  }
  return { config, source };
}

export function firstLine(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const message = error instanceof Error ? error.message : String(error);
  return `${message}${cause}`.split('\n')[0]!;
}

export type KubeList = { items: any[]; resourceVersion: string };

/** Thin read-only client: GET JSON, GET text (logs), WATCH. */
export class KubeReader {
  readonly config: KubeConfig;
  readonly server: string;
  readonly contextName: string;
  private readonly watcher: Watch;

  constructor(config: KubeConfig) {
    this.config = config;
    this.server = config.getCurrentCluster()!.server;
    this.contextName = config.getCurrentContext();
    this.watcher = new Watch(config);
  }

  private where(): string {
    return `cluster ${this.server} (context ${this.contextName})`;
  }

  /**
   * Headers and TLS dispatcher from client-node, reused for a minute: client-node builds a new
   * connection pool per request, and reusing one keeps a verify on a single kept-alive connection.
   * The minute bounds how long a token from an exec plugin is reused.
   */
  private auth: { at: number; headers: Record<string, string>; dispatcher: ReturnType<RequestContext['getDispatcher']> } | undefined;

  private async authentication() {
    if (!this.auth || Date.now() - this.auth.at > 60_000) {
      const context = new RequestContext(this.server, HttpMethod.GET);
      await this.config.applySecurityAuthentication(context);
      this.auth = { at: Date.now(), headers: context.getHeaders(), dispatcher: context.getDispatcher() };
    }
    return this.auth;
  }

  private async request(path: string, query: Record<string, string | number | boolean | undefined>) {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const { headers, dispatcher } = await this.authentication().catch((error: unknown) => {
      throw new ClusterError(`cannot authenticate to ${this.where()}: ${firstLine(error)}`);
    });
    try {
      return await fetch(url, { headers, dispatcher, signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      throw new ClusterError(`cannot reach ${this.where()}: ${firstLine(error)}`);
    }
  }

  /** GET a JSON document. 404 → undefined (a missing namespace, an absent CRD). */
  async getJson(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<any> {
    const response = await this.request(path, query);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status === 401 || response.status === 403) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new ClusterError(
        `${this.where()} refused GET ${path} (${response.status}): ${body.message ?? 'forbidden'} — the grader needs get/list/watch there (see grader/README.md)`,
      );
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new ClusterError(`${this.where()} answered ${response.status} to GET ${path}: ${text.slice(0, 200)}`);
    }
    return response.json();
  }

  async list(path: string, labelSelector?: string): Promise<KubeList | undefined> {
    const body = await this.getJson(path, { labelSelector });
    if (!body) return undefined;
    return { items: body.items ?? [], resourceVersion: body.metadata?.resourceVersion ?? '' };
  }

  /** Last lines of a container's log; '' when there is none (or the kubelet cannot be reached). */
  async logTail(namespace: string, pod: string, container: string, lines: number, previous: boolean): Promise<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
    const response = await this.request(path, { container, tailLines: lines, previous: previous || undefined });
    if (!response.ok) {
      await response.body?.cancel();
      return '';
    }
    return response.text();
  }

  /** Watch a collection from a resourceVersion; returns a stop function. `done` fires when the stream ends. */
  async watch(
    path: string,
    query: { resourceVersion: string; labelSelector?: string },
    onEvent: (type: string, object: any) => void,
    done: (error: unknown) => void,
  ): Promise<() => void> {
    const controller = await this.watcher.watch(
      path,
      { resourceVersion: query.resourceVersion, labelSelector: query.labelSelector, allowWatchBookmarks: true },
      onEvent,
      done,
    );
    return () => controller.abort();
  }
}

export function connect(options: ClusterOptions = {}): KubeReader {
  return new KubeReader(loadKubeConfig(options).config);
}
