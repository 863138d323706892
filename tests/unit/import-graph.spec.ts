// The house's floors (issue #22, tests/structure/import-graph.ts): every import between folders
// goes down a floor — none beside, none back up — so no two folders lean on each other.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenEdges, folderEdges, FLOORS, floorOf } from '../structure/import-graph.ts';

const root = resolve(import.meta.dirname, '..', '..');

describe('the import graph', () => {
  const edges = folderEdges(root);

  it('reads the real imports (the grader is imported by the CLI, the server, the classroom and the labs)', () => {
    const onGrader = edges.filter((e) => e.to === 'grader').map((e) => e.from);
    expect(onGrader).toEqual(expect.arrayContaining(['labs', 'src/classroom', 'src/cli', 'src/server']));
    expect(edges.length).toBeGreaterThan(30);
  });

  it('every folder is on a floor', () => {
    const folders = new Set(edges.flatMap((e) => [e.from, e.to]));
    expect([...folders].filter((f) => floorOf(f) < 0)).toEqual([]);
  });

  it('every import between folders goes down a floor', () => {
    expect(brokenEdges(edges).map((e) => `${e.from} -> ${e.to}: ${e.files.join(', ')}`)).toEqual([]);
  });

  it('would catch an arrow back up, or one beside', () => {
    const up = { from: 'grader', to: 'src/server', files: ['grader/x.ts -> src/server/y.ts'] };
    const beside = { from: 'src/store', to: 'src/gitserver', files: ['src/store/x.ts -> src/gitserver/y.ts'] };
    expect(brokenEdges([up, beside])).toEqual([up, beside]);
    expect(FLOORS.flat().length).toBe(new Set(FLOORS.flat()).size);
  });
});
