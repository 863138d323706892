import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLab, labFiles, listLabs, loadLab } from '../../grader/catalog.ts';
import { LabDefinitionError, LabNotFoundError } from '../../grader/errors.ts';
import { loadChecks } from '../../grader/verify.ts';

const testdata = new URL('./testdata/labs/', import.meta.url).pathname;

/** A lab folder in a temp catalog holding one fixture as its lab.yaml. */
function labFromFixture(fixture: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'labs-catalog-')), '01-fixture');
  mkdirSync(dir);
  copyFileSync(join(testdata, fixture), join(dir, 'lab.yaml'));
  return dir;
}

describe('lab.yaml schema', () => {
  for (const fixture of readdirSync(testdata).filter((f) => f.startsWith('valid-'))) {
    it(`accepts ${fixture}`, async () => {
      const lab = await loadLab(labFromFixture(fixture));
      expect(lab.id).toBe('01-fixture');
      expect(lab.number).toBe(1);
      expect(lab.maxScore).toBe(lab.tasks.reduce((sum, t) => sum + t.points, 0));
    });
  }

  const expectations: Record<string, RegExp> = {
    'invalid-missing-title.yaml': /lab\.yaml: title: /,
    'invalid-points.yaml': /lab\.yaml: tasks\[1\]\.points: /,
    'invalid-duplicate-task.yaml': /lab\.yaml: tasks: task ids must be unique/,
    'invalid-lesson.yaml': /lab\.yaml: lesson: must name a lesson file/,
    'invalid-namespace.yaml': /lab\.yaml: namespace: must be a DNS label/,
    'invalid-unknown-field.yaml': /lab\.yaml: .*taks/,
    'invalid-yaml-syntax.yaml': /lab\.yaml: not valid YAML: /,
  };
  for (const fixture of readdirSync(testdata).filter((f) => f.startsWith('invalid-'))) {
    it(`rejects ${fixture} with one line naming the file and field`, async () => {
      const error = await loadLab(labFromFixture(fixture)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabDefinitionError);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(/01-fixture[\\/]lab\.yaml: /);
      expect(message).toMatch(expectations[fixture] ?? /^$/);
    });
  }
});

describe('the course catalog', () => {
  const lessons = ['01-pod-lifecycle', '02-probes', '03-manifest-management', '04-kustomize', '05-helm', '06-gitops', '07-argocd'];

  it('has the eight labs in course order, each linked to a lesson of the course', async () => {
    const labs = await listLabs();
    expect(labs.map((lab) => lab.id)).toEqual([
      '01-liveness', '02-readiness', '03-startup', '04-kustomize-fields',
      '05-kustomize-overlays', '06-helm-create', '07-helm-upgrade', '08-gitops-argocd',
    ]);
    for (const lab of labs) expect(lessons).toContain(lab.lesson);
  });

  it('gives every task a check, and every check a task', async () => {
    for (const lab of await listLabs()) {
      const checks = await loadChecks(lab);
      expect(Object.keys(checks).sort()).toEqual(lab.tasks.map((t) => t.id).sort());
    }
  });

  it('ships an executable solve.sh for labs 1-7', async () => {
    for (const lab of (await listLabs()).filter((l) => l.number <= 7)) {
      expect(() => accessSync(labFiles(lab).solve, constants.X_OK), lab.id).not.toThrow();
    }
  });

  it('finds a lab by number, zero-padded number, folder name or slug', async () => {
    for (const ref of ['1', '01', '01-liveness', 'liveness']) expect((await findLab(ref)).id).toBe('01-liveness');
    expect((await findLab('8')).id).toBe('08-gitops-argocd');
  });

  it('names the labs there are when a lab does not exist', async () => {
    const error = await findLab('42').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabNotFoundError);
    expect((error as Error).message).toMatch(/no lab "42" \(labs: 01, 02, .*08/);
  });

  it('reports a check.ts that misses a task', async () => {
    const dir = labFromFixture('valid-minimal.yaml');
    writeFileSync(join(dir, 'check.ts'), 'export default { other: async () => ({ passed: true }) };\n');
    const error = await loadChecks(await loadLab(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabDefinitionError);
    expect((error as Error).message).toMatch(/check\.ts: no check for task "one"/);
  });
});
