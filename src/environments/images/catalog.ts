// kind/images.yaml: the one list of images the offline cluster needs, with variables expanded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { repoRoot } from '../toolchain.ts';

export const catalogFile = join(repoRoot, 'kind', 'images.yaml');

const imageSchema = z.object({
  refs: z.array(z.string()).min(1),
  base: z.string().regex(/^(static|busybox|scratch|rootfs:[a-z0-9-]+)$/),
  copy: z.record(z.string(), z.string()).default({}),
  run: z.string().optional(),
  entrypoint: z.array(z.string()).optional(),
  cmd: z.array(z.string()).optional(),
  user: z.string().optional(),
  stopSignal: z.string().optional(),
  expose: z.array(z.number()).optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  node: z.boolean().default(false),
  mirror: z.boolean().default(true),
  /** Built only when asked for by name (the classroom sandbox), never by buildAll's default. */
  onDemand: z.boolean().default(false),
  /** Toolchain components whose `copy:` entries are left out while they are not built (never built for this image). */
  optional: z.array(z.string()).default([]),
});

const catalogSchema = z.object({
  rootfs: z.record(z.string(), z.array(z.string())),
  images: z.array(imageSchema),
});

export type ImageRecipe = z.infer<typeof imageSchema>;
export type ImageCatalog = z.infer<typeof catalogSchema>;

/** Expands ${VAR}; an unknown variable is an error naming the file. */
export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`${catalogFile}: unknown variable \${${name}}`);
    return value;
  });
}

export function loadCatalog(vars: Record<string, string>): ImageCatalog {
  const raw = parse(readFileSync(catalogFile, 'utf8')) as unknown;
  const result = catalogSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${catalogFile}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const catalog = result.data;
  for (const image of catalog.images) {
    image.refs = image.refs.map((r) => normalizeRef(expand(r, vars)));
    if (image.description) image.description = expand(image.description, vars);
    if (image.version) image.version = expand(image.version, vars);
  }
  return catalog;
}

/** `nginx` → `docker.io/library/nginx:latest`; `registry.k8s.io/pause:3.10` unchanged. */
export function normalizeRef(ref: string): string {
  let name = ref;
  let tag = '';
  const at = name.indexOf('@');
  if (at >= 0) { tag = name.slice(at); name = name.slice(0, at); }
  const colon = name.lastIndexOf(':');
  if (!tag && colon > name.lastIndexOf('/')) { tag = name.slice(colon); name = name.slice(0, colon); }
  const first = name.split('/')[0];
  const hasHost = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return name + (tag || ':latest');
}

/** Splits a normalized ref into registry host and repository path with tag. */
export function splitRef(ref: string): { host: string; path: string } {
  const n = normalizeRef(ref);
  const slash = n.indexOf('/');
  return { host: n.slice(0, slash), path: n.slice(slash + 1) };
}
