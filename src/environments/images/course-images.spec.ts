import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.ts';
import { courseImageUses, helmScaffold, imagesInText, isExampleRef, lessonImageUses, notMirrored, type ImageUse } from './course-images.ts';
import { repoRoot, toolchainVersions } from '../toolchain.ts';

const catalog = loadCatalog({ ...toolchainVersions(), DEBIAN_NGINX_VERSION: '1.22.1', DEBIAN_BUSYBOX_VERSION: '1.35.0' });
const mirrored = new Set(catalog.images.filter((i) => i.mirror).flatMap((i) => i.refs));
const written = (text: string) => imagesInText(text).map((f) => f.written);
const refs = (text: string) => [...new Set(imagesInText(text).map((f) => f.ref))].sort();

describe('finding image references in course text', () => {
  it('reads image fields, --image, set image and kustomize images entries', () => {
    expect(refs('    image: busybox\n  - image: "nginx:1.24"\n{"image":"quay.io/a/b:1"}')).toEqual(
      ['docker.io/library/busybox:latest', 'docker.io/library/nginx:1.24', 'quay.io/a/b:1']);
    expect(refs('kubectl run t --image=redis:7 --restart=Never\nkubectl create deployment w --image registry.k8s.io/x:2')).toEqual(
      ['docker.io/library/redis:7', 'registry.k8s.io/x:2']);
    expect(refs('(cd overlays/dev && kustomize edit set image nginx=nginx:1.25)\nkubectl set image deploy/web web=httpd:2')).toEqual(
      ['docker.io/library/httpd:2', 'docker.io/library/nginx:1.25']);
    const kustomization = 'resources:\n- pod.yaml\nimages:\n- name: nginx\n  newName: registry.example.com/mirror/nginx # a comment\n  newTag: "1.24"\n- name: busybox\n  newTag: "1.36"\nlabels:\n- pairs: {a: b}\n';
    expect(written(kustomization)).toEqual(['registry.example.com/mirror/nginx:1.24', 'busybox:1.36']);
  });

  it("reads a course chart's tag from values files, --set, sed and Chart.yaml as Helm renders it", () => {
    expect(written('image:\n  tag: "1.23.1"')).toEqual(['nginx:1.23.1']);
    expect(written('image:\n  tag: 1.20')).toEqual(['nginx:1.2']);
    expect(written('helm upgrade a ./c --set image.tag=1.24 --set-string image.tag=1.25')).toEqual(['nginx:1.24', 'nginx:1.25']);
    expect(written(`sed -i 's/^  tag: .*/  tag: "1.24"/' values.yaml`)).toEqual(['nginx:1.24']);
    expect(written('appVersion: "1.23.1"')).toEqual(['nginx:1.23.1']);
    expect(written('image:\n  tag: ""')).toEqual([]);
  });

  it("adds helm create's scaffold images and skips templates and variables", () => {
    expect(written('helm create mychart')).toEqual([`nginx:${helmScaffold.appVersion}`, 'busybox']);
    expect(written('image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\nimage: "nginx:{{ .Values.image.tag }}"\nimage: $IMG')).toEqual([]);
    expect(written("grep -n 'image:' mychart/templates/deployment.yaml")).toEqual([]);
  });

  it('reads inline code and every kind of fenced block, with lines', () => {
    const md = 'Prose `nginx:1.16.0` here.\n\n```sh run\nkubectl run a --image=busybox\n```\n\n```sh illustrative reason="x"\nkubectl run b --image=agnhost:1\n```\n\n```yaml\nimage: nginx:latest\n```\n';
    const uses = lessonImageUses(md, 'x.md').map((u) => `${u.line} ${u.where} ${u.written}`);
    expect(uses).toEqual(['4 run busybox', '8 illustrative agnhost:1', '12 plain nginx:latest', '1 inline nginx:1.16.0']);
  });
});

describe('every image the course uses is in the offline mirror', () => {
  const uses = courseImageUses(repoRoot);
  const allowed = (u: ImageUse) => isExampleRef(u.ref) || (notMirrored[u.ref] && (!notMirrored[u.ref]!.where || notMirrored[u.ref]!.where!.includes(u.where)));

  it('finds the lessons (both languages), the labs and the class repositories', () => {
    const files = new Set(uses.map((u) => u.file.split('/').slice(0, 2).join('/')));
    for (const dir of ['content/en', 'content/ko', 'labs/01-liveness', 'labs/06-helm-create', 'src/gitserver']) expect(files).toContain(dir);
    expect(uses.length).toBeGreaterThan(50);
  });

  it('has every image a lesson, lab or class repository names (run, illustrative, plain or inline)', () => {
    const missing = uses.filter((u) => !mirrored.has(u.ref) && !allowed(u)).map((u) => `${u.file}:${u.line} (${u.where}, ${u.how}): ${u.written} → ${u.ref}`);
    expect(missing, `not in kind/images.yaml; add them there (or to notMirrored with a reason):\n${missing.join('\n')}`).toEqual([]);
  });

  it("has what `helm create mychart && helm install myapp ./mychart` pulls (Helm 3 and 4: appVersion 1.16.0)", () => {
    expect(mirrored).toContain(`docker.io/library/${helmScaffold.repository}:${helmScaffold.appVersion}`);
    expect(mirrored).toContain('docker.io/library/busybox:latest');
    for (const lesson of ['content/en/05-helm.md', 'content/ko/05-helm.md']) {
      expect(uses.filter((u) => u.file === lesson && u.how === 'helm-create').map((u) => u.ref)).toContain('docker.io/library/nginx:1.16.0');
    }
  });

  it('keeps the deliberately missing images missing, and each exception in use', () => {
    expect(mirrored).not.toContain('docker.io/library/nginx:1.999-no-such-tag');
    for (const ref of Object.keys(notMirrored)) {
      expect(uses.some((u) => u.ref === ref), `${ref} is in notMirrored but no longer used: remove it`).toBe(true);
      expect(mirrored.has(ref), `${ref} is mirrored: remove it from notMirrored`).toBe(false);
    }
  });

  it('labels the nginx stand-in as not the official image under every tag', () => {
    const nginx = catalog.images.find((i) => i.refs.includes('docker.io/library/nginx:1.16.0'));
    expect(nginx?.refs).toEqual(expect.arrayContaining(['docker.io/library/nginx:latest', 'docker.io/library/nginx:1.24', 'docker.io/library/nginx:1.23.1']));
    expect(nginx?.description).toMatch(/NOT the official nginx image.*1\.16\.0/);
  });
});

// helm create's scaffold against helmScaffold needs the toolchain's helm binaries: it runs in the
// cluster suite (tests/cluster/helm-scaffold.spec.ts), which builds them, never skipped here.
