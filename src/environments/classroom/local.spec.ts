import { describe, expect, it } from 'vitest';
import { defaultWarmPoolSize, environmentsThatFit } from './capacity.ts';
import { assignmentName, homeVolumeName, networkName, poolName, sandboxName } from './docker-objects.ts';

describe('classroom environments: names', () => {
  it('refuses pool names that are not safe in Docker names', () => {
    expect(poolName('classroom')).toBe('classroom');
    for (const bad of ['', 'Class', 'a/b', '-x', 'x'.repeat(21), 'a b', '../x']) expect(() => poolName(bad)).toThrow(/invalid pool name/);
  });

  it('names every object after the environment and the pool, never after a learner key', () => {
    expect(networkName('lab-abc123')).toBe('lab-abc123-net');
    expect(sandboxName('lab-abc123')).toBe('lab-abc123-shell');
    expect(homeVolumeName('classroom', 'lab-abc123')).toBe('labs-classroom-home-lab-abc123');
    expect(assignmentName('classroom', 'lab-abc123')).toBe('labs-classroom-assign-lab-abc123');
  });
});

describe('classroom environments: capacity', () => {
  it('counts what fits in free memory (less the reserve and what is being made), in CPU, and under the cap', () => {
    const base = { availableMiB: 10_000, reserveMiB: 2000, environmentMiB: 600, creating: 0, total: 0, cores: 16, environmentCpu: 0.2, cpuShare: 0.8 };
    expect(environmentsThatFit(base)).toEqual({ fit: 13, limit: 'memory' });
    expect(environmentsThatFit({ ...base, creating: 3, total: 3 })).toEqual({ fit: 10, limit: 'memory' });
    expect(environmentsThatFit({ ...base, availableMiB: 2100 })).toEqual({ fit: 0, limit: 'memory' });
    expect(environmentsThatFit({ ...base, availableMiB: 100 })).toEqual({ fit: 0, limit: 'memory' });
    // Two cores, 16 % of a core per idle environment: ten in all at 80 %, whatever the memory.
    expect(environmentsThatFit({ ...base, availableMiB: 100_000, cores: 2, environmentCpu: 0.16 })).toEqual({ fit: 10, limit: 'cpu' });
    expect(environmentsThatFit({ ...base, availableMiB: 100_000, cores: 2, environmentCpu: 0.16, total: 7 })).toEqual({ fit: 3, limit: 'cpu' });
    expect(environmentsThatFit({ ...base, cores: 2, environmentCpu: 0.16, total: 12 })).toEqual({ fit: 0, limit: 'cpu' });
    expect(environmentsThatFit({ ...base, max: 5, total: 4 })).toEqual({ fit: 1, limit: 'cap' });
  });

  it('counts frozen environments in memory only: they keep no core busy', () => {
    const cpuBound = { availableMiB: 100_000, reserveMiB: 2000, environmentMiB: 600, creating: 0, cores: 2, environmentCpu: 0.16, cpuShare: 0.8 };
    expect(environmentsThatFit({ ...cpuBound, total: 10 })).toEqual({ fit: 0, limit: 'cpu' });
    expect(environmentsThatFit({ ...cpuBound, total: 10, frozen: 6 })).toEqual({ fit: 6, limit: 'cpu' });
    // Memory still counts them: 30 frozen hold 18 000 MiB, what is left limits.
    expect(environmentsThatFit({ ...cpuBound, availableMiB: 4400, total: 30, frozen: 30 })).toEqual({ fit: 4, limit: 'memory' });
  });

  it('keeps one warm environment per eight that fit, between one and four', () => {
    expect(defaultWarmPoolSize(0)).toBe(0);
    expect(defaultWarmPoolSize(1)).toBe(1);
    expect(defaultWarmPoolSize(16)).toBe(2);
    expect(defaultWarmPoolSize(33)).toBe(4);
    expect(defaultWarmPoolSize(200)).toBe(4);
  });
});
