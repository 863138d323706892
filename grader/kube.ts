// Cluster access for graders: which kubeconfig, which context, and read-only HTTP (GET, logs,
// WATCH) over node:https with the credentials from ./credentials.ts. Objects come back as the API's
// JSON — the same shape lists and watches deliver — so checks see one representation.
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { clusterKubeconfig } from '../src/environments/paths.ts';
import { clientNodeConfig, kubeconfigFiles, loadCredentials, type Credentials } from './credentials.ts';
import { ClusterError } from './errors.ts';

export type ClusterOptions = {
  /** Path to a kubeconfig file. Default: KUBECONFIG, else the learner cluster, else ~/.kube/config. */
  kubeconfig?: string;
  /** Context in that kubeconfig. Default: its current-context. */
  context?: string;
};

/**
 * Which kubeconfig a command uses, in the documented order; undefined when none exists. An explicit
 * one or KUBECONFIG is taken as given (even empty) and must name existing files: a bad one is an
 * error, never a silent fall-back to another cluster.
 */
export function resolveKubeconfig(explicit?: string): string | undefined {
  if (explicit !== undefined) {
    kubeconfigFiles(explicit);
    return explicit;
  }
  const fromEnvironment = process.env.KUBECONFIG;
  if (fromEnvironment) {
    kubeconfigFiles(fromEnvironment, `KUBECONFIG=${JSON.stringify(fromEnvironment)}`);
    return fromEnvironment;
  }
  const learner = clusterKubeconfig();
  if (existsSync(learner)) return learner;
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}

const noKubeconfig = () =>
  new ClusterError('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create the learner cluster with `labs cluster create`');

/** A client-node KubeConfig for the same choice of file and context (used by write paths: reset). */
export async function loadKubeConfig(options: ClusterOptions = {}): Promise<{ config: KubeConfig; source: string }> {
  const source = resolveKubeconfig(options.kubeconfig);
  if (!source) throw noKubeconfig();
  const config = await clientNodeConfig(source, options.context);
  return { config, source };
}

export function firstLine(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const message = error instanceof Error ? error.message : String(error);
  return `${message}${cause}`.split('\n')[0]!;
}

export type KubeList = { items: any[]; resourceVersion: string };
type Query = Record<string, string | number | boolean | undefined>;

/** Thin read-only client: GET JSON, GET text (logs), WATCH. */
export class KubeReader {
  readonly credentials: Credentials;
  readonly server: string;
  readonly contextName: string;

  constructor(credentials: Credentials) {
    this.credentials = credentials;
    this.server = credentials.server;
    this.contextName = credentials.contextName;
  }

  private where(): string {
    return `cluster ${this.server} (context ${this.contextName})`;
  }

  private async request(path: string, query: Query, signal: AbortSignal = AbortSignal.timeout(15_000)): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const auth = await this.credentials.authenticate().catch((error: unknown) => {
      throw new ClusterError(`cannot authenticate to ${this.where()}: ${firstLine(error)}`);
    });
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    try {
      return await new Promise<IncomingMessage>((resolve, reject) => {
        const req = send(url, { ...auth, method: 'GET', headers: { Accept: 'application/json', ...auth.headers }, signal }, resolve);
        req.on('error', reject);
        req.end();
      });
    } catch (error) {
      throw new ClusterError(`cannot reach ${this.where()}: ${firstLine(error)}`);
    }
  }

  private async text(response: IncomingMessage): Promise<string> {
    let body = '';
    response.setEncoding('utf8');
    for await (const chunk of response) body += chunk;
    return body;
  }

  /** GET a JSON document. 404 → undefined (a missing namespace, an absent CRD). */
  async getJson(path: string, query: Query = {}): Promise<any> {
    const response = await this.request(path, query);
    const status = response.statusCode ?? 0;
    const body = await this.text(response).catch((error: unknown) => {
      throw new ClusterError(`${this.where()}: reading GET ${path} failed: ${firstLine(error)}`);
    });
    if (status === 404) return undefined;
    if (status === 401 || status === 403) {
      const message = (() => {
        try {
          return (JSON.parse(body) as { message?: string }).message;
        } catch {
          return undefined;
        }
      })();
      throw new ClusterError(
        `${this.where()} refused GET ${path} (${status}): ${message ?? 'forbidden'} — the grader needs get/list/watch there (see grader/README.md)`,
      );
    }
    if (status < 200 || status >= 300) {
      throw new ClusterError(`${this.where()} answered ${status} to GET ${path}: ${body.slice(0, 200)}`);
    }
    return JSON.parse(body);
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
    const body = await this.text(response).catch(() => '');
    return response.statusCode === 200 ? body : '';
  }

  /**
   * Watch a collection from a resourceVersion (one JSON event per line). Returns a stop function;
   * `done` fires once when the stream ends, with the error if it failed (410 Gone: statusCode 410).
   */
  async watch(
    path: string,
    query: { resourceVersion: string; labelSelector?: string },
    onEvent: (type: string, object: any) => void,
    done: (error: unknown) => void,
  ): Promise<() => void> {
    const controller = new AbortController();
    let finished = false;
    const finish = (error: unknown) => {
      if (finished) return;
      finished = true;
      done(error);
    };
    const params = { ...query, watch: true, allowWatchBookmarks: true, timeoutSeconds: 240 };
    void (async () => {
      const response = await this.request(path, params, controller.signal);
      if (response.statusCode !== 200) {
        response.resume();
        throw Object.assign(new Error(`watch ${path}: HTTP ${response.statusCode}`), { statusCode: response.statusCode });
      }
      response.setEncoding('utf8');
      let buffered = '';
      for await (const chunk of response) {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as { type: string; object: any };
          onEvent(event.type, event.object);
        }
      }
    })().then(
      () => finish(null),
      (error: unknown) => finish(controller.signal.aborted ? null : error),
    );
    return () => controller.abort();
  }
}

/** Connect to the cluster a kubeconfig/context names (reads the kubeconfig; no request yet). */
export async function connect(options: ClusterOptions = {}): Promise<KubeReader> {
  const source = resolveKubeconfig(options.kubeconfig);
  if (!source) throw noKubeconfig();
  return new KubeReader(await loadCredentials(source, options.context));
}
