// The project's import graph by folder, and the floors it must keep (issue #22): a folder imports
// only folders on floors below its own — never one beside it, never one above — so there is no
// loop between folders and no arrow back up. Type imports count: a browser file that imports a
// server file for its types still stands on the server.
//   node tests/structure/import-graph.ts      prints every folder edge and any that break a floor
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Floors, lowest first. A folder is the top-level one, or src/<folder>; files directly in src/ are "src". */
export const FLOORS: string[][] = [
  ['src/base'], // paths, processes, progress events: nothing of the project's own
  ['src/content'], // the lesson schema and code-block meta
  ['grader'], // reading a cluster; the lab catalog and its schema
  ['src/store', 'src/gitserver', 'src/terminal', 'src/contract'],
  ['src/environments'],
  ['labs'], // solving and resetting a lab (writes to the cluster and the git server)
  ['src/classroom'],
  ['src/components'], // the browser's code and Astro components: nothing of the server's
  ['src/server', 'src/cli'],
  ['src/layouts'],
  ['src/pages', 'src/styles', 'src'],
];

const SOURCE_ROOTS = ['src', 'grader', 'labs'];
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

export type Edge = { from: string; to: string; files: string[] };

export function folderOf(root: string, file: string): string {
  const parts = relative(root, file).split('/');
  if (parts[0] !== 'src') return parts[0]!;
  return parts.length === 2 ? 'src' : `src/${parts[1]}`;
}

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules') found.push(...sources(path));
    } else if (/\.(c|m)?ts$/.test(name) && !/\.(spec|test)\.ts$/.test(name) && !name.endsWith('.d.ts')) {
      found.push(path);
    } else if (name === 'env.d.ts' || name.endsWith('.astro')) {
      found.push(path);
    }
  }
  return found;
}

/** Every import between two folders, with the files that make it. */
export function folderEdges(root: string): Edge[] {
  const edges = new Map<string, Edge>();
  for (const file of SOURCE_ROOTS.flatMap((dir) => sources(join(root, dir)))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), (match[1] ?? match[2] ?? match[3])!);
      if (!/\.(c|m)?ts$|\.astro$/.test(target)) continue; // stylesheets and assets are no code to stand on
      const [from, to] = [folderOf(root, file), folderOf(root, target)];
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      const edge = edges.get(key) ?? { from, to, files: [] };
      edge.files.push(`${relative(root, file)} -> ${relative(root, target)}`);
      edges.set(key, edge);
    }
  }
  return [...edges.values()].sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`));
}

export const floorOf = (folder: string): number => FLOORS.findIndex((floor) => floor.includes(folder));

/** Edges that do not go strictly down a floor (beside, up, or from or to a folder no floor names). */
export function brokenEdges(edges: Edge[]): Edge[] {
  return edges.filter((e) => floorOf(e.from) < 0 || floorOf(e.to) < 0 || floorOf(e.to) >= floorOf(e.from));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, '..', '..');
  const edges = folderEdges(root);
  const broken = new Set(brokenEdges(edges));
  for (const edge of edges) {
    console.log(`${broken.has(edge) ? '✗' : ' '} ${edge.from} -> ${edge.to} (${edge.files.length})`);
    if (broken.has(edge)) for (const file of edge.files) console.log(`      ${file}`);
  }
  console.log(`${edges.length} folder edges, ${broken.size} not going down a floor; floors used: ${new Set(edges.flatMap((e) => [floorOf(e.from), floorOf(e.to)])).size}`);
  process.exitCode = broken.size ? 1 : 0;
}
