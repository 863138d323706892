// The course's labs as data: every labs/NN-name/ folder with a valid lab.yaml. The CLI, the
// web server (Check buttons, lesson pages) and the grader all find labs through here.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { LabDefinitionError, LabNotFoundError } from '../grader/errors.ts';
import { describeIssue, labSchema, type LabDefinition } from './schema.ts';

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
  return process.env.LABS_CATALOG_DIR ?? dirname(fileURLToPath(import.meta.url));
}

/** Path as a person sees it in messages: relative to the working directory when shorter. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

export async function loadLab(dir: string): Promise<Lab> {
  const file = join(dir, 'lab.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new LabDefinitionError(`${shown(file)}: missing`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new LabDefinitionError(`${shown(file)}: not valid YAML: ${reason}`);
  }
  const parsed = labSchema.safeParse(raw);
  if (!parsed.success) throw new LabDefinitionError(`${shown(file)}: ${describeIssue(parsed.error)}`);
  const id = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
  const number = Number(labFolder.exec(id)?.[1] ?? NaN);
  const maxScore = parsed.data.tasks.reduce((sum, task) => sum + task.points, 0);
  return { ...parsed.data, id, number, dir, maxScore };
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
