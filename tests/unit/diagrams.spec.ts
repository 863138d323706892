// The committed course diagrams are exactly what their TypeScript generators make, so an edited
// label cannot be forgotten in one language or left unregenerated.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allDiagrams } from '../../content/diagrams/generate.ts';
import { fixed1, real } from '../../content/diagrams/svg.ts';
import { diagramsDir } from '../course/lessons.ts';

const generated = allDiagrams();

describe('course diagrams', () => {
  it('are generated in English and Korean, and public/diagrams holds nothing else', () => {
    const names = Object.keys(generated).sort();
    expect(names.filter((name) => name.endsWith('.ko.svg')).map((name) => name.replace('.ko.svg', '.svg'))).toEqual(names.filter((name) => !name.endsWith('.ko.svg')));
    expect(readdirSync(diagramsDir).filter((name) => name.endsWith('.svg')).sort()).toEqual(names);
  });

  it.each(Object.keys(generated))('%s is committed as generated (node content/diagrams/generate.ts)', (name) => {
    expect(readFileSync(join(diagramsDir, name), 'utf8')).toBe(generated[name]);
  });

  it('writes numbers as Python did (repr of a float, "%.1f" with ties to even)', () => {
    // Expected values printed by Python 3.11: repr(135 + 60*11.9), repr(135 + 13*11.9), ['%.1f' % v for v in …]
    expect([real(135), real(135 + 60 * 11.9), real(135 + 13 * 11.9), real(208 / 2 - 13)]).toEqual(['135.0', '849.0', '289.70000000000005', '91.0']);
    const values = [0.25, 0.75, 2.25, -1.75, 10.04, 3, 1.35, 2.675];
    expect(values.map(fixed1)).toEqual(['0.2', '0.8', '2.2', '-1.8', '10.0', '3.0', '1.4', '2.7']);
  });
});
