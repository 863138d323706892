import { describe, expect, it } from 'vitest';
import { cleanPlan, type Found } from './clean.ts';

const found: Found = {
  containers: [
    { name: 'lab-aaaaaa-shell', pool: 'c1', env: 'lab-aaaaaa' },
    { name: 'lab-bbbbbb-shell', pool: 'c2', env: 'lab-bbbbbb' },
  ],
  networks: [
    { name: 'lab-aaaaaa-net', pool: 'c1', env: 'lab-aaaaaa' },
    // A warm environment whose sandbox never came: its cluster is still named by the network.
    { name: 'lab-cccccc-net', pool: 'c1', env: 'lab-cccccc' },
    { name: 'lab-bbbbbb-net', pool: 'c2', env: 'lab-bbbbbb' },
  ],
  volumes: [{ name: 'labs-c1-home-lab-aaaaaa', pool: 'c1' }, { name: 'labs-c1-assign-lab-aaaaaa', pool: 'c1' }, { name: 'labs-c2-home-lab-bbbbbb', pool: 'c2' }],
  mirror: { networks: ['bridge', 'lab-aaaaaa-net', 'lab-bbbbbb-net', 'lab-cccccc-net'] },
};

describe('labs classroom clean: the plan', () => {
  it('every pool: clusters, sandboxes, networks, homes and assignments, and the mirror nobody needs any more', () => {
    expect(cleanPlan(found)).toEqual({
      clusters: ['lab-aaaaaa', 'lab-bbbbbb', 'lab-cccccc'],
      containers: ['lab-aaaaaa-shell', 'lab-bbbbbb-shell'],
      networks: ['lab-aaaaaa-net', 'lab-bbbbbb-net', 'lab-cccccc-net'],
      volumes: ['labs-c1-assign-lab-aaaaaa', 'labs-c1-home-lab-aaaaaa', 'labs-c2-home-lab-bbbbbb'],
      mirror: true,
    });
  });

  it('one pool: another pool keeps its objects, and the machine keeps its mirror', () => {
    const plan = cleanPlan(found, 'c1');
    expect(plan.clusters).toEqual(['lab-aaaaaa', 'lab-cccccc']);
    expect(plan.containers).toEqual(['lab-aaaaaa-shell']);
    expect(plan.volumes).not.toContain('labs-c2-home-lab-bbbbbb');
    expect(plan.mirror).toBe(false);
  });

  it('one pool, no other network on the mirror: the mirror stays (a server between classes needs it next)', () => {
    expect(cleanPlan({ ...found, mirror: { networks: ['bridge', 'lab-aaaaaa-net', 'lab-cccccc-net'] } }, 'c1').mirror).toBe(false);
    expect(cleanPlan({ ...found, mirror: { networks: ['bridge', 'lab-aaaaaa-net', 'lab-cccccc-net'] } }).mirror).toBe(true);
  });

  it('nothing there: nothing to do', () => {
    expect(cleanPlan({ containers: [], networks: [], volumes: [] })).toEqual({ clusters: [], containers: [], networks: [], volumes: [], mirror: false });
  });
});
