// Past a pinned minor's end of life, one line says so (src/environments/end-of-life.ts). Dates are
// given, never today's: the warning is for users, and no test may fail because time passed.
import { describe, expect, it } from 'vitest';
import { endOfLifeWarnings } from '../../src/environments/end-of-life.ts';
import { toolchainVersions } from '../../src/environments/toolchain.ts';

const pinned = { KUBERNETES_VERSION: 'v1.34.4', KUBERNETES_END_OF_LIFE: '2026-10-27', CONTAINERD_VERSION: 'v2.1.4', CONTAINERD_END_OF_LIFE: '2026-07-03' };

describe('end of life of the pinned minors', () => {
  it('says nothing on or before the date', () => {
    expect(endOfLifeWarnings(new Date('2026-07-03T23:00:00Z'), pinned)).toEqual([]);
  });

  it('one line per minor past its date, naming the version the course uses', () => {
    expect(endOfLifeWarnings(new Date('2026-08-01T00:00:00Z'), pinned)).toEqual([
      "containerd 2.1 reached end of life on 2026-07-03; this checkout's course still uses it (v2.1.4)",
    ]);
    expect(endOfLifeWarnings(new Date('2026-12-07T10:00:00Z'), pinned)).toEqual([
      "Kubernetes 1.34 reached end of life on 2026-10-27; this checkout's course still uses it (v1.34.4)",
      "containerd 2.1 reached end of life on 2026-07-03; this checkout's course still uses it (v2.1.4)",
    ]);
  });

  it('ignores a missing or malformed date', () => {
    expect(endOfLifeWarnings(new Date('2030-01-01'), { ...pinned, KUBERNETES_END_OF_LIFE: '27 Oct 2026', CONTAINERD_END_OF_LIFE: '' })).toEqual([]);
  });

  it('versions.env records a date for every pinned minor it warns about', () => {
    const versions = toolchainVersions();
    for (const key of ['KUBERNETES_END_OF_LIFE', 'CONTAINERD_END_OF_LIFE']) expect(versions[key], key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
