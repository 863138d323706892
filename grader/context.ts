// The per-verify view of the cluster. Each (kind, namespace) is listed once and cached for the
// whole verify, so a lab's checks and diagnostics cost one request per kind. When a check must
// wait (--wait), the lists it read become live: a watch from the list's resourceVersion applies
// every change to the cache and wakes the waiting check, instead of polling.
import { releaseHistory, type HelmRelease } from './helm.ts';
import { collectionPath, kinds, type KindName } from './kinds.ts';
import type { KubeReader } from './kube.ts';
import { labelsMatch } from './match.ts';

export type ObjectMeta = {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  creationTimestamp?: string;
  generation?: number;
  ownerReferences?: { kind: string; name: string; uid: string }[];
};

/** An object as the API returns it (JSON). Fields beyond metadata are read by partial matches. */
export type KubeObject = { apiVersion?: string; kind?: string; metadata: ObjectMeta; [field: string]: any };

export type ListOptions = {
  /** Default: the lab's namespace. */
  namespace?: string;
  /** Equality label selector, applied to the cached list. */
  labels?: Record<string, string>;
};

type Entry = {
  kind: KindName;
  namespace: string;
  serverSelector?: string;
  /** false when the API does not serve the kind (e.g. Argo CD's CRD is not installed). */
  served: boolean;
  items: Map<string, KubeObject>;
  resourceVersion: string;
  stopWatch?: () => void;
};

const objectKey = (o: KubeObject) => o.metadata.uid ?? `${o.metadata.namespace}/${o.metadata.name}`;

export class CheckContext {
  /** The lab's namespace: the default for every read. */
  readonly namespace: string;
  readonly cluster: KubeReader;
  private readonly entries = new Map<string, Promise<Entry>>();
  private touched = new Set<string>();
  private wake: (() => void) | undefined;
  private closed = false;
  /** Number of list requests made (what the bench and the unit of "one read per kind" count). */
  listRequests = 0;

  constructor(cluster: KubeReader, namespace: string) {
    this.cluster = cluster;
    this.namespace = namespace;
  }

  private entry(kind: KindName, namespace: string, serverSelector?: string): Promise<Entry> {
    const scope = kinds[kind].namespaced ? namespace : '';
    const key = `${kind}|${scope}|${serverSelector ?? ''}`;
    this.touched.add(key);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.load(kind, scope, serverSelector);
      this.entries.set(key, entry);
      // A failed read must not poison the cache for the next attempt.
      entry.catch(() => this.entries.delete(key));
    }
    return entry;
  }

  private async load(kind: KindName, namespace: string, serverSelector?: string): Promise<Entry> {
    this.listRequests += 1;
    const list = await this.cluster.list(collectionPath(kind, namespace || undefined), serverSelector);
    const items = new Map<string, KubeObject>();
    for (const item of list?.items ?? []) items.set(objectKey(item), withKind(item, kind));
    return { kind, namespace, serverSelector, served: list !== undefined, items, resourceVersion: list?.resourceVersion ?? '' };
  }

  async list(kind: KindName, options: ListOptions = {}): Promise<KubeObject[]> {
    const entry = await this.entry(kind, options.namespace ?? this.namespace);
    const items = [...entry.items.values()];
    const selected = options.labels ? items.filter((o) => labelsMatch(o.metadata.labels, options.labels!)) : items;
    return selected.sort((a, b) => byCodeUnits(a.metadata.name, b.metadata.name));
  }

  async get(kind: KindName, name: string, options: { namespace?: string } = {}): Promise<KubeObject | undefined> {
    return (await this.list(kind, options)).find((o) => o.metadata.name === name);
  }

  /** Whether the cluster serves this kind at all (CRDs such as Argo CD's Application). */
  async served(kind: KindName, options: { namespace?: string } = {}): Promise<boolean> {
    return (await this.entry(kind, options.namespace ?? this.namespace)).served;
  }

  /**
   * Events about one object, oldest first: this object itself (its uid), not an earlier object of
   * the same name whose Events (kept for an hour) would tell what happened to that one.
   */
  async eventsFor(object: KubeObject): Promise<KubeObject[]> {
    const events = await this.list('Event', { namespace: object.metadata.namespace ?? this.namespace });
    const uid = object.metadata.uid;
    return events
      .filter((e) => e.involvedObject?.name === object.metadata.name && e.involvedObject?.kind === object.kind)
      .filter((e) => !uid || !e.involvedObject?.uid || e.involvedObject.uid === uid)
      .sort((a, b) => byCodeUnits(eventTime(a), eventTime(b)));
  }

  /** A Helm release's revisions, oldest first. Reads only secrets labelled owner=helm. */
  async helmHistory(release: string, options: { namespace?: string } = {}): Promise<HelmRelease[]> {
    return releaseHistory(await this.helmRecords(options), release);
  }

  /** Helm's release records (Secrets labelled owner=helm) in a namespace; '' reads every namespace. */
  async helmRecords(options: { namespace?: string } = {}): Promise<KubeObject[]> {
    return [...(await this.entry('Secret', options.namespace ?? this.namespace, 'owner=helm')).items.values()];
  }

  /** Names of the Helm releases in a namespace (from the same owner=helm list). */
  async helmReleaseNames(options: { namespace?: string } = {}): Promise<string[]> {
    const names = (await this.helmRecords(options)).map((s) => s.metadata.labels?.name).filter((n): n is string => Boolean(n));
    return [...new Set(names)].sort();
  }

  /** What this verify's checks looked for by name ("Pod/readiness-http"): none of them is a near miss of another. */
  readonly sought = new Set<string>();

  /** Start recording which lists a check reads (so a wait watches exactly those). */
  beginCheck(): void {
    this.touched = new Set();
  }

  /**
   * Resolve on the next change to any list the current check read, or false at the deadline.
   * Watches stay open for the rest of the verify, keeping those lists current.
   */
  async waitForChange(deadline: number): Promise<boolean> {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || this.closed) return false;
    const changed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), remaining);
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    for (const key of this.touched) {
      const entry = await this.entries.get(key);
      if (entry && entry.served && !entry.stopWatch) await this.startWatch(entry);
    }
    const result = await changed;
    this.wake = undefined;
    return result;
  }

  private notify(): void {
    this.wake?.();
  }

  private async startWatch(entry: Entry): Promise<void> {
    if (this.closed) return;
    const path = collectionPath(entry.kind, entry.namespace || undefined);
    let restartNeeded = false;
    const startedAt = Date.now();
    entry.stopWatch = await this.cluster.watch(
      path,
      { resourceVersion: entry.resourceVersion, labelSelector: entry.serverSelector },
      (type, object) => {
        if (type === 'BOOKMARK') {
          entry.resourceVersion = object?.metadata?.resourceVersion ?? entry.resourceVersion;
          return;
        }
        if (type === 'ERROR') {
          // Usually 410 Gone: our resourceVersion is too old. Relist when the stream ends.
          restartNeeded = true;
          entry.resourceVersion = '';
          return;
        }
        const item = withKind(object, entry.kind);
        entry.resourceVersion = item.metadata.resourceVersion ?? entry.resourceVersion;
        if (type === 'DELETED') entry.items.delete(objectKey(item));
        else entry.items.set(objectKey(item), item);
        this.notify();
      },
      (error) => {
        entry.stopWatch = undefined;
        if (this.closed) return;
        // Streams end on server timeouts and client inactivity: resume and keep going. A stream
        // that failed at once (410 Gone, an error on connect) relists after a pause, not in a loop.
        const failedAtOnce = Boolean(error) && Date.now() - startedAt < 1000;
        const relist = restartNeeded || !entry.resourceVersion || failedAtOnce;
        setTimeout(() => void this.resume(entry, relist), failedAtOnce ? 1000 : 0).unref();
      },
    );
  }

  private async resume(entry: Entry, relist: boolean): Promise<void> {
    if (this.closed) return;
    try {
      if (relist) {
        const fresh = await this.load(entry.kind, entry.namespace, entry.serverSelector);
        entry.items = fresh.items;
        entry.resourceVersion = fresh.resourceVersion;
        this.notify();
      }
      await this.startWatch(entry);
    } catch {
      // The next waitForChange (or the final evaluation) reports the cluster error.
    }
  }

  /** Stop every watch. */
  close(): void {
    this.closed = true;
    for (const entry of this.entries.values()) {
      entry.then((e) => e.stopWatch?.(), () => undefined);
    }
  }
}

/**
 * Plain code-unit order, not localeCompare: object names and RFC 3339 times sort the same either
 * way, and ICU's collator costs ~14 ms of CPU to start, a tenth of a `labs verify`.
 */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function withKind(object: any, kind: KindName): KubeObject {
  return object.kind ? object : { ...object, kind };
}

export function eventTime(event: KubeObject): string {
  return event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? '';
}
