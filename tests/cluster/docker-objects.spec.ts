// Finding a class's Docker objects while they are being removed (src/environments/classroom/
// docker-objects.ts): an object listed and then gone before `inspect` is left out, not an error
// (ending a class while the dashboard or a restart reads the pool failed on exactly that).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectListed } from '../../src/environments/classroom/docker-objects.ts';

const name = `labs-test-${randomBytes(3).toString('hex')}`;
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' });

afterAll(() => {
  for (const kind of ['volume', 'network']) {
    try {
      docker(kind, 'rm', name);
    } catch {
      // already gone
    }
  }
});

describe('inspecting listed Docker objects', () => {
  it.each(['volume', 'network', 'container'] as const)('a %s removed after listing is left out; one that exists is read', async (kind) => {
    if (kind === 'volume') docker('volume', 'create', name);
    if (kind === 'network') docker('network', 'create', name);
    const present = kind === 'container' ? [] : [name];
    const found = await inspectListed<{ Name: string }>(kind, [...present, `${name}-gone`], `inspecting ${kind}s`);
    expect(found.map((o) => o.Name.replace(/^\//, ''))).toEqual(present);
  });
});
