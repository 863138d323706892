// Writes every course diagram, in English (name.svg) and Korean (name.ko.svg), to public/diagrams/.
// The SVGs are committed; edit the generators here and run:
//
//   node content/diagrams/generate.ts [--out <dir>] [--check]
//
// --check writes nothing and exits 1 when a committed SVG differs from what the generators make.
// Style: transparent background, text only on filled shapes, mid-grey lines, so the diagrams read
// on the light and the dark theme alike.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { argocdArchitecture } from './argocd-architecture.ts';
import { gitopsLoop } from './gitops-loop.ts';
import { kustomizeLayering } from './kustomize-layering.ts';
import { podPhases } from './pod-phases.ts';
import { probeTimelines } from './probe-timelines.ts';
import type { Diagrams } from './svg.ts';

export function allDiagrams(): Diagrams {
  return { ...podPhases(), ...probeTimelines(), ...kustomizeLayering(), ...gitopsLoop(), ...argocdArchitecture() };
}

const DEFAULT_OUT = resolve(import.meta.dirname, '..', '..', 'public', 'diagrams');

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: DEFAULT_OUT }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('Usage: node content/diagrams/generate.ts [--out <dir>] [--check]');
    process.exit(0);
  }
  const out = resolve(values.out!);
  const diagrams = allDiagrams();
  if (values.check) {
    const stale = Object.entries(diagrams).filter(([name, svg]) => {
      try {
        return readFileSync(join(out, name), 'utf8') !== svg;
      } catch {
        return true;
      }
    });
    for (const [name] of stale) console.error(`${relative(process.cwd(), join(out, name))}: differs from its generator; run node content/diagrams/generate.ts`);
    process.exit(stale.length ? 1 : 0);
  }
  mkdirSync(out, { recursive: true });
  for (const [name, svg] of Object.entries(diagrams)) writeFileSync(join(out, name), svg);
  console.log(`${Object.keys(diagrams).length} diagrams written to ${out}`);
}
