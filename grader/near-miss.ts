// Near misses: when what a task looks for is not where the lab expects it, the object the learner
// most likely meant — the same name in another namespace (the source course's manifests carry
// none, so `kubectl apply -f` lands in default), another kind of the same name, a similar name,
// another container of the pod — named in one sentence that the card, `labs verify` and the
// dashboard all show. Reads go through the CheckContext (cluster-wide lists, cached per verify).
import type { CheckContext, KubeObject } from './context.ts';
import type { KindName } from './kinds.ts';
import { labelsMatch } from './match.ts';

export type NearMiss = {
  /** How what exists differs from what the task looks for. */
  differs: 'namespace' | 'kind' | 'name' | 'container';
  /** What exists instead (for a label selector: every object it selects there). */
  kind: KindName | 'HelmRelease';
  namespace: string;
  names: string[];
  container?: string;
  /** The sentence every door shows. */
  says: string;
};

export type Wanted = { kind: KindName; name?: string; labels?: Record<string, string>; namespace: string };

/** Namespaces of the cluster's own machinery: nothing a learner made lives there. */
const platformNamespace = (namespace: string) => namespace.startsWith('kube-') || namespace === 'local-path-storage';

/** Kinds a learner confuses with one another when applying a manifest by hand. */
const CONFUSED_KINDS: KindName[] = ['Pod', 'Deployment', 'Service', 'ConfigMap'];

const quote = (text: string) => `"${text}"`;
const selector = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
const howTo = (kind: Wanted['kind'] | 'HelmRelease', namespace: string) =>
  kind === 'HelmRelease' ? `helm -n ${namespace} install …` : `kubectl -n ${namespace} apply -f …`;

/** Levenshtein distance, bounded: names are short (≤ 253), and only small distances matter. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * A name the learner plausibly meant: a typo (a few edits, scaled to the length), or the wanted
 * name with a part added or missing at a dash ("myapp-pod" for "dev-myapp-pod", a Deployment's
 * "web-7d9f-x2k4" for "web").
 */
export function similarName(found: string, wanted: string): boolean {
  if (found === wanted) return false;
  if (editDistance(found, wanted) <= Math.max(1, Math.floor(Math.min(found.length, wanted.length) / 6))) return true;
  const [short, long] = found.length < wanted.length ? [found, wanted] : [wanted, found];
  return short.length >= 4 && (long.startsWith(`${short}-`) || long.endsWith(`-${short}`));
}

/** A cluster-wide list, or nothing when this identity may not list the kind everywhere. */
async function everywhere(ctx: CheckContext, kind: KindName): Promise<KubeObject[]> {
  try {
    return await ctx.list(kind, { namespace: '' });
  } catch {
    return [];
  }
}


/** Where the object a task looks for is, if it exists somewhere the lab does not look. */
export async function lookElsewhere(ctx: CheckContext, wanted: Wanted): Promise<NearMiss | undefined> {
  const all = (await everywhere(ctx, wanted.kind)).filter((o) => !platformNamespace(o.metadata.namespace ?? ''));
  const elsewhere = all.filter((o) => o.metadata.namespace !== wanted.namespace);
  const target = wanted.name ? `${wanted.kind} ${quote(wanted.name)}` : `${wanted.kind}s with labels ${selector(wanted.labels ?? {})}`;

  // 1. The same object in another namespace.
  const same = elsewhere.filter((o) => (wanted.name ? o.metadata.name === wanted.name : labelsMatch(o.metadata.labels, wanted.labels ?? {})));
  const [namespace, objects] = [...Map.groupBy(same, (o) => o.metadata.namespace ?? '')][0] ?? [];
  if (namespace !== undefined && objects) {
    return {
      differs: 'namespace', kind: wanted.kind, namespace, names: objects.map((o) => o.metadata.name),
      says: `${target} ${wanted.name ? 'is' : 'are'} in namespace ${quote(namespace)}; this lab looks for it in namespace ${quote(wanted.namespace)} (${howTo(wanted.kind, wanted.namespace)})`,
    };
  }
  if (!wanted.name) return undefined;

  // 2. Another kind of the same name, where the lab looks.
  for (const kind of CONFUSED_KINDS.filter((k) => k !== wanted.kind)) {
    const other = (await ctx.list(kind, { namespace: wanted.namespace }).catch(() => [])).find((o) => o.metadata.name === wanted.name);
    if (other) {
      return {
        differs: 'kind', kind, namespace: wanted.namespace, names: [wanted.name],
        says: `${kind} ${quote(wanted.name)} is in namespace ${quote(wanted.namespace)}; this task looks for a ${wanted.kind} of that name (kind: ${wanted.kind})`,
      };
    }
  }

  // 3. A similar name, where the lab looks first.
  const similar = all.filter((o) => similarName(o.metadata.name, wanted.name!));
  const best = similar.sort((a, b) =>
    Number(a.metadata.namespace !== wanted.namespace) - Number(b.metadata.namespace !== wanted.namespace) ||
    editDistance(a.metadata.name, wanted.name!) - editDistance(b.metadata.name, wanted.name!))[0];
  if (!best) return undefined;
  const foundIn = best.metadata.namespace ?? '';
  const owner = best.metadata.ownerReferences?.[0];
  return {
    differs: 'name', kind: wanted.kind, namespace: foundIn, names: [best.metadata.name],
    says: `${wanted.kind} ${quote(best.metadata.name)} is in namespace ${quote(foundIn)}${owner ? ` (made by ${owner.kind} ${quote(owner.name)})` : ''}; this task looks for ${target}` +
      (foundIn === wanted.namespace ? ' (check metadata.name)' : ` in namespace ${quote(wanted.namespace)}`),
  };
}

/** The pod exists but has no container of the wanted name: name the containers it has. */
export function containerNearMiss(pod: KubeObject, container: string): NearMiss {
  const names: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const close = names.find((n) => similarName(n, container));
  return {
    differs: 'container', kind: 'Pod', namespace: pod.metadata.namespace ?? '', names: [pod.metadata.name], container: close ?? names[0],
    says: `Pod ${quote(pod.metadata.name)} has no container ${quote(container)}; its containers: ${names.join(', ') || 'none'} (this task looks for the container named ${quote(container)})`,
  };
}

/** A Helm release of this name in another namespace, or of a similar name (its owner=helm Secrets). */
export async function releaseElsewhere(ctx: CheckContext, name: string, namespace: string): Promise<NearMiss | undefined> {
  let records: KubeObject[];
  try {
    records = await ctx.helmRecords({ namespace: '' });
  } catch {
    return undefined;
  }
  const releases = records
    .map((s) => ({ name: s.metadata.labels?.name ?? '', namespace: s.metadata.namespace ?? '' }))
    .filter((r) => r.name && !platformNamespace(r.namespace));
  const moved = releases.find((r) => r.name === name && r.namespace !== namespace);
  if (moved) {
    return {
      differs: 'namespace', kind: 'HelmRelease', namespace: moved.namespace, names: [name],
      says: `release ${quote(name)} is in namespace ${quote(moved.namespace)}; this lab looks for it in namespace ${quote(namespace)} (${howTo('HelmRelease', namespace)})`,
    };
  }
  const renamed = releases.filter((r) => similarName(r.name, name)).sort((a, b) => Number(a.namespace !== namespace) - Number(b.namespace !== namespace))[0];
  if (!renamed) return undefined;
  return {
    differs: 'name', kind: 'HelmRelease', namespace: renamed.namespace, names: [renamed.name],
    says: `release ${quote(renamed.name)} is in namespace ${quote(renamed.namespace)}; this task looks for release ${quote(name)}` +
      (renamed.namespace === namespace ? ' (the first argument of helm install)' : ` in namespace ${quote(namespace)}`),
  };
}
