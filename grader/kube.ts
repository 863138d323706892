// Cluster access for graders: read-only HTTP (GET, logs, WATCH) over node:https to the cluster
// ./cluster-choice.ts picks, with the credentials from ./credentials.ts. Objects come back as the API's
// JSON — the same shape lists and watches deliver — so checks see one representation.
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { chooseCluster, type ClusterOptions } from './cluster-choice.ts';
import { loadCredentials, type Credentials } from './credentials.ts';
import { ClusterError, firstLine } from './errors.ts';

// node:http through getBuiltinModule, not an ESM import: the ESM facade of node:http reads every
// export, and one of them loads undici (~45 ms of start-up that a verify never uses).
const { Agent: HttpAgent, request: httpRequest } = process.getBuiltinModule('node:http');

export type KubeList = { items: any[]; resourceVersion: string };
type Query = Record<string, string | number | boolean | undefined>;

export type ReaderOptions = {
  /** How long one GET may take, headers and body (default 15 s). Watches are not bounded by it. */
  timeoutMs?: number;
  /**
   * The largest answer read (default 8 MiB): a learner's cluster is theirs to fill, and whatever it
   * holds (100 pods with 150 KB annotations) must not fill this process. More is a ClusterError.
   */
  maxBodyBytes?: number;
};

export type WatchOptions = {
  resourceVersion?: string;
  labelSelector?: string;
  /** How long the API server keeps the watch open (default 240 s). */
  timeoutSeconds?: number;
  /**
   * Events longer than this (default 1 MiB) are not parsed: the watcher gets only the event's type
   * and the object's kind and metadata name, namespace and resourceVersion (they come first in the
   * API server's JSON), with `oversized: true`.
   */
  maxEventBytes?: number;
};

/** What is read of an event too large to parse: its head (type, kind, metadata's first fields). */
const oversizedHead = 4096;

/** The type and the object's identity from the head of an oversized watch event. */
export function oversizedEvent(head: string): { type: string; object: { kind?: string; metadata: { name?: string; namespace?: string; resourceVersion?: string }; oversized: true } } {
  const field = (name: string) => new RegExp(`"${name}":"([^"\\\\]{0,253})"`).exec(head)?.[1];
  const metadata = head.slice(head.indexOf('"metadata":'));
  const meta = (name: string) => new RegExp(`"${name}":"([^"\\\\]{0,253})"`).exec(metadata)?.[1];
  return { type: field('type') ?? 'MODIFIED', object: { kind: field('kind'), metadata: { name: meta('name'), namespace: meta('namespace'), resourceVersion: meta('resourceVersion') }, oversized: true } };
}

/** Why `body` is not a Kubernetes list; undefined when it is one. */
function notAList(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return `${body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`} instead of a list object`;
  }
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items)) return 'no "items" array';
  const bad = items.findIndex((item) => typeof item?.metadata?.name !== 'string');
  return bad >= 0 ? `items[${bad}] has no metadata.name` : undefined;
}

/**
 * Thin read-only client: GET JSON, GET text (logs), WATCH. Speaks https, or plain http when the
 * kubeconfig's server says http: (TLS material and its agent then mean nothing; headers still go).
 */
export class KubeReader {
  readonly credentials: Credentials;
  readonly server: string;
  readonly contextName: string;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  /** Set when the server is http: — the credentials' agent is an https one. */
  private readonly plainAgent: InstanceType<typeof HttpAgent> | undefined;

  constructor(credentials: Credentials, options: ReaderOptions = {}) {
    this.credentials = credentials;
    this.server = credentials.server;
    this.contextName = credentials.contextName;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 8 << 20;
    let protocol: string;
    try {
      protocol = new URL(this.server).protocol;
    } catch {
      throw new ClusterError(`server ${JSON.stringify(this.server)} of context ${this.contextName} (${credentials.source}) is not a URL`);
    }
    if (protocol !== 'https:' && protocol !== 'http:') {
      throw new ClusterError(`${this.where()}: protocol "${protocol}" is not supported (the API server's URL must start with https: or http:)`);
    }
    this.plainAgent = protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : undefined;
  }

  private where(): string {
    return `cluster ${this.server} (context ${this.contextName})`;
  }

  private async request(path: string, query: Query, signal: AbortSignal): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const auth = await this.credentials.authenticate().catch((error: unknown) => {
      throw new ClusterError(`cannot authenticate to ${this.where()}: ${firstLine(error)}`);
    });
    const send = this.plainAgent ? httpRequest : httpsRequest;
    const transport = this.plainAgent ? { agent: this.plainAgent } : auth;
    try {
      return await new Promise<IncomingMessage>((resolve, reject) => {
        const req = send(url, { ...transport, method: 'GET', headers: { Accept: 'application/json', ...auth.headers }, signal }, resolve);
        req.on('error', reject);
        req.end();
      });
    } catch (error) {
      throw new ClusterError(`cannot reach ${this.where()}: ${firstLine(error)}`);
    }
  }

  /**
   * The whole body of a response. A body that breaks off (the connection closed early, or the
   * timeout struck mid-body) is the cluster's fault: a ClusterError saying how much arrived.
   */
  private async body(response: IncomingMessage, path: string, signal: AbortSignal): Promise<string> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > this.maxBodyBytes) {
          response.destroy();
          throw new ClusterError(`${this.where()} answered GET ${path} with more than ${(this.maxBodyBytes / 2 ** 20).toFixed(0)} MiB: too much to read (objects with very large annotations or data?)`);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      const why = signal.aborted ? `no complete answer within ${this.timeoutMs / 1000} s` : firstLine(error);
      throw new ClusterError(`${this.where()} cut off its answer to GET ${path} after ${bytes} bytes (${why})`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** `text` as JSON; when it is not, a ClusterError naming the server, the request and what was wrong. */
  private json(text: string, what: string): any {
    try {
      return JSON.parse(text);
    } catch (error) {
      const reason = firstLine(error);
      // V8 says where parsing stopped; stopping at the very end means the document was cut short.
      const at = /at position (\d+)/.exec(reason);
      const cutOff = /end of JSON input/.test(reason) || (at !== null && Number(at[1]) >= text.length) ? ', as if cut off' : '';
      throw new ClusterError(`${this.where()} answered ${what} with malformed JSON (${reason}; ${Buffer.byteLength(text)} bytes${cutOff})`);
    }
  }

  /** GET a JSON document. 404 → undefined (a missing namespace, an absent CRD). */
  async getJson(path: string, query: Query = {}): Promise<any> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const response = await this.request(path, query, signal);
    const status = response.statusCode ?? 0;
    const body = await this.body(response, path, signal);
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
    return this.json(body, `GET ${path}`);
  }

  /** A collection; undefined when the API does not serve it (404). Anything but a list of objects is the cluster's fault. */
  async list(path: string, labelSelector?: string): Promise<KubeList | undefined> {
    const body = await this.getJson(path, { labelSelector });
    if (body === undefined) return undefined;
    const wrong = notAList(body);
    if (wrong) throw new ClusterError(`${this.where()} answered GET ${path} with JSON that is not a Kubernetes list: ${wrong}`);
    return { items: body.items, resourceVersion: body.metadata?.resourceVersion ?? '' };
  }

  /** Last lines of a container's log; '' when there is none (or the kubelet cannot be reached). */
  async logTail(namespace: string, pod: string, container: string, lines: number, previous: boolean): Promise<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    const response = await this.request(path, { container, tailLines: lines, previous: previous || undefined }, signal);
    const body = await this.body(response, path, signal).catch(() => '');
    return response.statusCode === 200 ? body : '';
  }

  /**
   * Watch a collection from a resourceVersion (one JSON event per line). Returns a stop function;
   * `done` fires once when the stream ends, with the error if it failed (410 Gone: statusCode 410).
   */
  async watch(
    path: string,
    query: WatchOptions,
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
    const { maxEventBytes = 1 << 20, timeoutSeconds = 240, ...selection } = query;
    const params = { ...selection, watch: true, allowWatchBookmarks: true, timeoutSeconds };
    void (async () => {
      const response = await this.request(path, params, controller.signal);
      if (response.statusCode !== 200) {
        response.resume();
        throw Object.assign(new Error(`watch ${path}: HTTP ${response.statusCode}`), { statusCode: response.statusCode });
      }
      response.setEncoding('utf8');
      let buffered = '';
      /** The head of an event that outgrew maxEventBytes: the rest is dropped up to its newline. */
      let oversized: string | undefined;
      for await (const chunk of response) {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (oversized !== undefined) {
            const event = oversizedEvent(oversized);
            oversized = undefined;
            onEvent(event.type, event.object);
            continue;
          }
          if (!line) continue;
          if (line.length > maxEventBytes) {
            const event = oversizedEvent(line.slice(0, oversizedHead));
            onEvent(event.type, event.object);
            continue;
          }
          const event = this.json(line, `a watch event on ${path}`) as { type: string; object: any };
          onEvent(event.type, event.object);
        }
        if (oversized === undefined && buffered.length > maxEventBytes) oversized = buffered.slice(0, oversizedHead);
        if (oversized !== undefined) buffered = '';
      }
    })().then(
      () => finish(null),
      (error: unknown) => finish(controller.signal.aborted ? null : error),
    );
    return () => controller.abort();
  }
}

/** Connect to the cluster a kubeconfig/context names (reads the kubeconfig; no request yet). */
export async function connect(options: ClusterOptions & ReaderOptions = {}): Promise<KubeReader> {
  const choice = chooseCluster(options);
  return new KubeReader(await loadCredentials(choice.kubeconfig, choice.context), options);
}
