// Every image a learner meets in the course: read from the lessons' code blocks (run, illustrative
// and plain) and inline code, from the files the labs and the class git repositories hand out,
// and from what `helm create`'s scaffold deploys. The unit test checks each one against
// kind/images.yaml, so a lesson command with an image the offline mirror lacks fails CI.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { extractCodeBlocks } from '../../content/code-meta.ts';
import { normalizeRef } from './catalog.ts';

/**
 * What `helm create` scaffolds (Helm 3.22's pkg/chart/v2/util/create.go, unchanged in Helm 4's
 * pkg/chart/v2/util and internal/chart/v3/util): values `image.repository: nginx` with an empty
 * `tag`, so the Deployment runs nginx:<appVersion>; and `templates/tests/test-connection.yaml`,
 * a Pod running `busybox` for `helm test`. course-images.spec.ts compares this with a real
 * `helm create` when the toolchain's helm is built.
 */
export const helmScaffold = {
  repository: 'nginx',
  appVersion: '1.16.0',
  testImage: 'busybox',
} as const;

/** The course's charts (helm create's, argo-test-chart, lab 7's `nginx`) default image.repository to this. */
export const courseChartRepository = helmScaffold.repository;

/**
 * Images the course names that the mirror does not hold, on purpose. Anything else a lesson, lab
 * or class repository names must be in kind/images.yaml. `where` limits an entry to those places.
 */
export const notMirrored: Record<string, { reason: string; where?: ImageUse['where'][] }> = {
  'docker.io/library/nginx:1.999-no-such-tag': {
    reason: 'lesson 01 pulls it to show ErrImagePull/ImagePullBackOff, lesson 05 and lab 07 upgrade to it for a Helm upgrade that fails: it must stay missing',
  },
  'docker.io/library/nginx:1.2': {
    reason: 'only rendered (helm template) or refused (kustomize) to show what an unquoted tag 1.20 becomes; never deployed',
  },
  'docker.io/library/nginx:2.1': {
    reason: "a check-yourself question about a hypothetical chart's --set image.tag=2.1; nothing runs it",
    where: ['inline'],
  },
};

/** Illustrative references on names reserved for examples (RFC 2606): registry.example.com/… */
export function isExampleRef(ref: string): boolean {
  const host = ref.split('/')[0]!.replace(/:\d+$/, '');
  return /(^|\.)(example\.(com|org|net)|example|test|invalid)$/.test(host);
}

export type ImageUse = {
  /** Normalized, e.g. docker.io/library/nginx:1.24. */
  ref: string;
  /** As written (or as rendered, for a chart's tag). */
  written: string;
  /** Repository-relative path and 1-based line. */
  file: string;
  line: number;
  /** run / illustrative / plain (a fenced block's mode), inline (`code` in prose) or file. */
  where: 'run' | 'illustrative' | 'plain' | 'inline' | 'file';
  /** Which rule found it: image-field, --image, set-image, kustomize-images, chart-tag, chart-appVersion, helm-create, named-tag. */
  how: string;
};

type Found = { written: string; ref: string; offset: number; how: string };

/** A YAML scalar as YAML 1.2 core reads it: quoted → text; unquoted number → its canonical text (1.20 → 1.2). */
function yamlScalar(raw: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(raw);
  if (quoted) return quoted[2]!;
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(raw) && raw.includes('.')) return String(Number(raw));
  return raw;
}

const SCALAR = String.raw`("[^"\n]*"|'[^'\n]*'|[^\s"'{}#,\]]+)`;

/**
 * The images one piece of text (a code block, an inline span, a file) refers to, with their
 * offsets. `knownRepos` are repositories to look for as `<repo>:<tag>` anywhere in the text.
 * Template expressions (`{{ … }}`) and shell variables are not images.
 */
export function imagesInText(text: string, knownRepos: Iterable<string> = []): Found[] {
  const found: Found[] = [];
  const add = (written: string, offset: number, how: string) => {
    if (!written || /[{}$<>]/.test(written) || written.endsWith(':')) return;
    found.push({ written, ref: normalizeRef(written), offset, how });
  };
  const each = (re: RegExp, fn: (m: RegExpExecArray) => void) => {
    for (const m of text.matchAll(re)) fn(m as RegExpExecArray);
  };

  // image: <ref> in manifests (YAML and flow style), and `"image": "<ref>"` in JSON.
  each(new RegExp(String.raw`(?:^|[\s{,\-"'])"?image"?:[ \t]*${SCALAR}(?=[\s,}\]"']|$)`, 'gm'), (m) =>
    add(yamlScalar(m[1]!), m.index!, 'image-field'));
  // kubectl run/create deployment/set image … --image=<ref> / --image <ref>
  each(new RegExp(String.raw`--image[= ]${SCALAR}`, 'g'), (m) => add(yamlScalar(m[1]!), m.index!, '--image'));
  // kustomize edit set image nginx=nginx:1.24 (or nginx:1.24), kubectl set image deploy/x c=<ref>
  each(/\bset image\s+(?:\S+\/\S+\s+)?((?:[\w.\-/:@]+=)?[\w.\-/:@]+(?:\s+[\w.\-/:@]+=[\w.\-/:@]+)*)/g, (m) => {
    for (const pair of m[1]!.split(/\s+/)) add(pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : pair, m.index!, 'set-image');
  });
  // kustomization images: entries: (newName ?? name):newTag
  const lines = text.split('\n');
  let offset = 0;
  const offsets = lines.map((l) => { const o = offset; offset += l.length + 1; return o; });
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)images:\s*$/.exec(lines[i]!);
    if (!head) continue;
    const base = head[1]!.length;
    let entry: Record<string, string> | undefined;
    let entryLine = i;
    const flush = () => {
      if (entry?.name && entry.newTag) add(`${entry.newName ?? entry.name}:${entry.newTag}`, offsets[entryLine]!, 'kustomize-images');
      entry = undefined;
    };
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (!line.trim() || /^\s*#/.test(line)) continue;
      const indent = line.length - line.trimStart().length;
      if (indent < base || (indent === base && !line.trimStart().startsWith('-'))) break;
      const item = /^\s*-\s+(\w+):\s*(.*?)\s*(?:#.*)?$/.exec(line);
      const field = /^\s*(\w+):\s*(.*?)\s*(?:#.*)?$/.exec(line);
      if (item) { flush(); entry = { [item[1]!]: yamlScalar(item[2]!) }; entryLine = j; }
      else if (field && entry) entry[field[1]!] = yamlScalar(field[2]!);
    }
    flush();
  }
  // A course chart's tag: values files (image: / tag: X), --set image.tag=X, sed … tag: "X".
  // Only tags that start with a digit or say latest: tag: "" means the appVersion (see helm-create).
  each(/(?:\bimage\.tag=|(?:^|[\s/'.])tag:[ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s"'/`]+)/gm, (m) => {
    const tag = m[0]!.includes('image.tag=') ? m[1]!.replace(/^(["'])(.*)\1$/, '$2') : yamlScalar(m[1]!);
    if (/^(\d[\w.-]*|latest)$/.test(tag)) add(`${courseChartRepository}:${tag}`, m.index!, 'chart-tag');
  });
  // A course chart's Chart.yaml: appVersion is the tag when values.yaml sets none.
  each(/^appVersion:[ \t]*("[^"\n]*"|'[^'\n]*'|\S+)/gm, (m) => add(`${courseChartRepository}:${yamlScalar(m[1]!)}`, m.index!, 'chart-appVersion'));
  // helm create: the scaffold's Deployment (nginx:<appVersion> unless a tag is set) and test Pod.
  each(/\bhelm create\s+\S+/g, (m) => {
    add(`${helmScaffold.repository}:${helmScaffold.appVersion}`, m.index!, 'helm-create');
    add(helmScaffold.testImage, m.index!, 'helm-create');
  });
  // Anything else naming one of those repositories (or a known one) with a tag: sed expressions,
  // grep patterns, `nginx:1.16.0` in prose.
  const repos = new Set([...knownRepos, ...found.map((f) => repositoryOf(f.written))]);
  for (const repo of repos) {
    const escaped = repo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    each(new RegExp(String.raw`(?<![\w./-])${escaped}:([\w][\w.-]*)`, 'g'), (m) => add(m[0]!, m.index!, 'named-tag'));
  }
  // One entry per image and line (several rules often see the same one).
  const seen = new Set<string>();
  return found.filter((f) => {
    const key = `${f.ref} ${lineAt(text, f.offset)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `nginx:1.24` → `nginx`; `registry.k8s.io/x/agnhost:2.40` → `registry.k8s.io/x/agnhost`. */
function repositoryOf(written: string): string {
  return written.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The images of one lesson (Markdown): fenced blocks with their mode, and inline code in prose. */
export function lessonImageUses(markdown: string, file: string): ImageUse[] {
  const uses: ImageUse[] = [];
  const blocks = extractCodeBlocks(markdown);
  const repos = new Set(blocks.flatMap((b) => imagesInText(b.code).map((f) => repositoryOf(f.written))));
  for (const b of blocks) {
    const where = b.mode.kind;
    for (const f of imagesInText(b.code, repos)) uses.push({ ref: f.ref, written: f.written, file, line: b.line + lineAt(b.code, f.offset), where, how: f.how });
  }
  // Prose: blank out the fences (keeping line numbers), then read `inline code`.
  const lines = markdown.split(/\r?\n/);
  const fenced = new Set<number>();
  for (const b of blocks) for (let l = b.line; l <= b.line + b.code.split('\n').length + 1; l++) fenced.add(l);
  const prose = lines.map((l, i) => (fenced.has(i + 1) ? '' : l)).join('\n');
  for (const m of prose.matchAll(/(`+)([^`]+?)\1/g)) {
    for (const f of imagesInText(m[2]!, repos)) uses.push({ ref: f.ref, written: f.written, file, line: lineAt(prose, m.index!), where: 'inline', how: f.how });
  }
  return uses;
}

/** Every image the course shows or hands out, from the repository at `root`. */
export function courseImageUses(root: string): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const path of filesUnder(join(root, 'content'), (n) => n.endsWith('.md') && n !== 'README.md')) {
    uses.push(...lessonImageUses(readFileSync(path, 'utf8'), relative(root, path)));
  }
  // What the labs hand out (files/, hints in lab.yaml, the reference solutions) and the class git
  // server's starter repositories (argo-test-chart, the guestbook example).
  const handedOut = [
    ...filesUnder(join(root, 'labs'), (n) => /\.(ya?ml|sh)$/.test(n)),
    ...filesUnder(join(root, 'src', 'gitserver', 'starter'), (n) => /\.(ya?ml|sh|tpl|txt)$/.test(n)),
  ];
  for (const path of handedOut) {
    const text = readFileSync(path, 'utf8');
    for (const f of imagesInText(text)) uses.push({ ref: f.ref, written: f.written, file: relative(root, path), line: lineAt(text, f.offset), where: 'file', how: f.how });
  }
  return uses;
}
