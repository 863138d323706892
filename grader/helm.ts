// Helm 3 and Helm 4 store each release revision in a Secret `sh.helm.release.v1.<name>.v<N>`
// (labels owner=helm, name=<release>, version=<N>). Its `data.release` is base64 (the Secret
// encoding) of base64 of gzipped JSON; Helm 4 adds `apply_method` to that JSON. Decoding it lets a
// grader read what `helm ls`/`helm history` read, without running helm (of either version).
// Pure logic: the cluster read lives in context.ts.
import { gunzipSync } from 'node:zlib';

export type HelmReleaseStatus =
  | 'unknown' | 'deployed' | 'uninstalled' | 'superseded' | 'failed'
  | 'uninstalling' | 'pending-install' | 'pending-upgrade' | 'pending-rollback';

export type HelmRelease = {
  name: string;
  namespace: string;
  revision: number;
  status: HelmReleaseStatus;
  /** "Install complete", "Upgrade complete", "Rollback to 2", … */
  description: string;
  chart: { name: string; version: string; appVersion?: string };
  /** Template file names in the chart ("templates/deployment.yaml", …). */
  templates: string[];
  /** The values the user supplied (-f / --set), not the chart defaults. */
  config: Record<string, unknown>;
  /** The chart's default values.yaml. */
  chartValues: Record<string, unknown>;
  manifest: string;
  lastDeployed?: string;
  /** How Helm 4 applied this revision: server-side ("ssa") or client-side ("csa"); unset in Helm 3's records. */
  applyMethod?: 'ssa' | 'csa';
};

type RawRelease = {
  name?: string;
  namespace?: string;
  version?: number;
  info?: { status?: string; description?: string; last_deployed?: string };
  chart?: {
    metadata?: { name?: string; version?: string; appVersion?: string };
    templates?: { name?: string }[];
    values?: Record<string, unknown>;
  };
  config?: Record<string, unknown> | null;
  manifest?: string;
  apply_method?: string;
};

const gzipMagic = [0x1f, 0x8b];

/** Decode the JSON payload of a release record from the Secret's `data.release` (as the API returns it). */
export function decodeReleaseData(secretData: string): RawRelease {
  const helmPayload = Buffer.from(secretData, 'base64').toString('utf8'); // undo the Secret's base64
  let bytes = Buffer.from(helmPayload, 'base64'); // undo Helm's own base64
  if (bytes[0] === gzipMagic[0] && bytes[1] === gzipMagic[1]) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')) as RawRelease;
}

export function toHelmRelease(raw: RawRelease): HelmRelease {
  return {
    name: raw.name ?? '',
    namespace: raw.namespace ?? '',
    revision: raw.version ?? 0,
    status: (raw.info?.status ?? 'unknown') as HelmReleaseStatus,
    description: raw.info?.description ?? '',
    chart: {
      name: raw.chart?.metadata?.name ?? '',
      version: raw.chart?.metadata?.version ?? '',
      appVersion: raw.chart?.metadata?.appVersion,
    },
    templates: (raw.chart?.templates ?? []).map((t) => t.name ?? '').filter(Boolean),
    config: raw.config ?? {},
    chartValues: raw.chart?.values ?? {},
    manifest: raw.manifest ?? '',
    lastDeployed: raw.info?.last_deployed,
    ...(raw.apply_method === 'ssa' || raw.apply_method === 'csa' ? { applyMethod: raw.apply_method } : {}),
  };
}

type SecretLike = { metadata?: { name?: string; labels?: Record<string, string> }; type?: string; data?: Record<string, string> };

const recordName = /^sh\.helm\.release\.v1\.(.+)\.v(\d+)$/;

export const isReleaseRecord = (secret: SecretLike): boolean =>
  secret.type === 'helm.sh/release.v1' || recordName.test(secret.metadata?.name ?? '');

/** Every revision of `release` found among the secrets, oldest first (like `helm history`). */
export function releaseHistory(secrets: SecretLike[], release: string): HelmRelease[] {
  return secrets
    .filter((secret) => isReleaseRecord(secret) && recordName.exec(secret.metadata?.name ?? '')?.[1] === release)
    .flatMap((secret) => (secret.data?.release ? [toHelmRelease(decodeReleaseData(secret.data.release))] : []))
    .sort((a, b) => a.revision - b.revision);
}

/** What `helm ls` shows for a release: its newest revision. */
export const latestRevision = (history: HelmRelease[]): HelmRelease | undefined => history.at(-1);

/** Read a dotted path such as "image.tag" from values. */
export function valueAt(values: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>(
    (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
    values,
  );
}

/** The effective value (user config over chart defaults) at a dotted path. */
export const effectiveValue = (release: HelmRelease, path: string): unknown =>
  valueAt(release.config, path) ?? valueAt(release.chartValues, path);
