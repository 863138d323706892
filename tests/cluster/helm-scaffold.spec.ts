// `helm create`'s scaffold against helmScaffold (src/environments/images/course-images.ts), with
// the toolchain's own binaries (helm4: the learner's `helm`; helm: Helm 3), built here when
// missing: a Helm upgrade that changes the scaffold's images fails here instead of in a
// learner's cluster (whose mirror would not hold them).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helmScaffold, imagesInText } from '../../src/environments/images/course-images.ts';
import { ensureComponents } from '../../src/environments/toolchain.ts';

const refs = (text: string) => [...new Set(imagesInText(text).map((f) => f.ref))].sort();

describe("helm create's scaffold deploys exactly the images helmScaffold names", () => {
  for (const component of ['helm4', 'helm']) {
    it(`with the toolchain's ${component}`, async () => {
      const helm = join((await ensureComponents([component], (line) => console.error(line)))[component]!, 'helm');
      const dir = mkdtempSync(join(tmpdir(), 'labs-helm-create-'));
      try {
        execFileSync(helm, ['create', 'mychart'], { cwd: dir, env: { ...process.env, HELM_CONFIG_HOME: dir, HELM_CACHE_HOME: dir, HELM_DATA_HOME: dir } });
        const chart = parse(readFileSync(join(dir, 'mychart', 'Chart.yaml'), 'utf8')) as { appVersion: string };
        expect(chart.appVersion).toBe(helmScaffold.appVersion);
        const rendered = execFileSync(helm, ['template', 'myapp', './mychart'], { cwd: dir, encoding: 'utf8' });
        expect(refs(rendered.split('\n').filter((l) => /^\s*-?\s*image:/.test(l)).join('\n'))).toEqual(refs('helm create mychart'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 1_200_000);
  }
});
