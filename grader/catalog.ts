// The course's labs as data: every labs/NN-name/ folder with a valid lab.yaml. The CLI, the
// web server (Check buttons, lesson pages) and the grader all find labs through here.
//
// A lab.yaml is parsed and validated (yaml + zod: most of `labs list`'s start-up) only when it
// changed: the definitions that passed are kept in the platform's cache dir (a file per checkout), keyed by each file's
// identity (path, size, mtime, ctime, inode) and by the schema's and this module's own, so an edited
// lab.yaml or schema is validated again and an invalid file is never cached.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabDefinitionError, LabNotFoundError } from './errors.ts';
import { cacheDir } from '../src/base/paths.ts';
import type { LabDefinition } from './lab-schema.ts';

export type Lab = LabDefinition & {
  /** Folder name, e.g. "01-liveness": the lab's id everywhere. */
  id: string;
  /** Course order, from the folder's number. */
  number: number;
  /** Absolute path of the lab folder. */
  dir: string;
  maxScore: number;
};

const labFolder = /^(\d{2})-[a-z0-9-]+$/;

/** Where lab folders live. LABS_CATALOG_DIR lets an instructor (or a test) point at another set. */
export function labsRoot(): string {
  return process.env.LABS_CATALOG_DIR ?? fileURLToPath(new URL('../labs', import.meta.url));
}

/** Path as a person sees it in messages: relative to the working directory when shorter. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

/** lab.yaml parsed and validated against the schema; throws LabDefinitionError naming the file and field. */
async function validate(file: string, text: string): Promise<LabDefinition> {
  const [{ parse: parseYaml }, { describeIssue, labSchema }] = await Promise.all([import('yaml'), import('./lab-schema.ts')]);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new LabDefinitionError(`${shown(file)}: not valid YAML: ${reason}`);
  }
  const parsed = labSchema.safeParse(raw);
  if (!parsed.success) throw new LabDefinitionError(`${shown(file)}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

type CacheFile = { code: string; entries: Record<string, { key: string; definition: LabDefinition }> };

const identity = (stats: Stats) => `${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}`;
/** FNV-1a of the text, in hex: names a checkout's cache file. */
const shortHash = (text: string) => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
};
/** One file per checkout (two checkouts' code keys would otherwise keep replacing each other's entries). */
const cacheFile = () => join(cacheDir(), `lab-catalog-${shortHash(import.meta.url)}.json`);
/** What validation depends on besides the file: the schema, this module, the YAML parser and zod. */
const codeKey = () =>
  [new URL('./lab-schema.ts', import.meta.url).href, import.meta.url, import.meta.resolve('yaml'), import.meta.resolve('zod')]
    .map((url) => identity(statSync(fileURLToPath(url))))
    .join('|');

/** Definitions validated before (unreadable, or validated by other code: none); each new one is written back. */
const validated = {
  loaded: undefined as CacheFile | undefined,
  read(): CacheFile {
    if (this.loaded) return this.loaded;
    const code = codeKey();
    try {
      const file = JSON.parse(readFileSync(cacheFile(), 'utf8')) as CacheFile;
      this.loaded = file.code === code && file.entries && typeof file.entries === 'object' ? file : { code, entries: {} };
    } catch {
      this.loaded = { code, entries: {} };
    }
    return this.loaded;
  },
  remember(file: string, key: string, definition: LabDefinition): void {
    const cache = this.read();
    cache.entries[file] = { key, definition };
    // Entries of lab.yaml files that are gone (a temporary catalog) are dropped.
    const entries = Object.fromEntries(Object.entries(cache.entries).filter(([path]) => existsSync(path)));
    try {
      mkdirSync(cacheDir(), { recursive: true });
      const temporary = `${cacheFile()}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify({ code: cache.code, entries }));
      renameSync(temporary, cacheFile());
    } catch {
      // Only a speed-up: a read-only cache dir means validating every time.
    }
  },
};

export async function loadLab(dir: string): Promise<Lab> {
  const file = join(dir, 'lab.yaml');
  let stats: Stats;
  try {
    stats = await stat(file);
  } catch {
    throw new LabDefinitionError(`${shown(file)}: missing`);
  }
  const key = identity(stats);
  const cached = validated.read().entries[file];
  let definition: LabDefinition;
  if (cached?.key === key) definition = cached.definition;
  else {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new LabDefinitionError(`${shown(file)}: missing`);
    }
    definition = await validate(file, text);
    validated.remember(file, key, definition);
  }
  const id = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
  const number = Number(labFolder.exec(id)?.[1] ?? NaN);
  const maxScore = definition.tasks.reduce((sum, task) => sum + task.points, 0);
  return { ...structuredClone(definition), id, number, dir, maxScore };
}

async function labFolders(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && labFolder.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** All labs in course order. A malformed lab.yaml throws LabDefinitionError naming it. */
export async function listLabs(root: string = labsRoot()): Promise<Lab[]> {
  const folders = await labFolders(root);
  return Promise.all(folders.map((name) => loadLab(join(root, name))));
}

/** "1", "01", "01-liveness" or "liveness" → the lab. Only that lab's lab.yaml is parsed. */
export async function findLab(ref: string, root: string = labsRoot()): Promise<Lab> {
  const wanted = ref.trim();
  const folders = await labFolders(root);
  const byNumber = /^\d+$/.test(wanted)
    ? folders.find((name) => Number(name.slice(0, 2)) === Number(wanted))
    : undefined;
  const match =
    byNumber ?? folders.find((name) => name === wanted) ?? folders.find((name) => name.slice(3) === wanted);
  if (!match) {
    const known = folders.map((name) => name.slice(0, 2)).join(', ') || 'none';
    throw new LabNotFoundError(`no lab "${ref}" (labs: ${known}; see \`labs list\`)`);
  }
  return loadLab(join(root, match));
}

/** Labs that belong to a lesson, e.g. "02-probes" → labs 1–3 (for the lesson page's Check buttons). */
export async function labsForLesson(lesson: string, root: string = labsRoot()): Promise<Lab[]> {
  return (await listLabs(root)).filter((lab) => lab.lesson === lesson);
}

export const labFiles = (lab: Lab) => ({
  checks: join(lab.dir, 'check.ts'),
  solve: join(lab.dir, 'solve.sh'),
  workspace: join(lab.dir, 'files'),
});

export const hasWorkspace = (lab: Lab): boolean => existsSync(labFiles(lab).workspace);
