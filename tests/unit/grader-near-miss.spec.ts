// Which names count as "the one the learner meant" (grader/near-miss.ts). The near misses themselves
// are proved on a real cluster (tests/cluster/near-miss.spec.ts); these are the pure rules.
import { describe, expect, it } from 'vitest';
import { containerNearMiss, editDistance, similarName } from '../../grader/near-miss.ts';

describe('similar names', () => {
  it('counts edits', () => {
    expect(editDistance('readiness-http', 'readiness-http')).toBe(0);
    expect(editDistance('readiness-http', 'readiness-htp')).toBe(1);
    expect(editDistance('readiness-http', 'readines-htpp')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('takes typos and a part added or missing at a dash', () => {
    expect(similarName('readiness-htp', 'readiness-http')).toBe(true);
    expect(similarName('myapp-pod', 'dev-myapp-pod')).toBe(true); // the base applied without its overlay
    expect(similarName('slow-app-7d9f8c-x2k4q', 'slow-app')).toBe(true); // a Deployment's pod
    expect(similarName('nginx-2', 'nginx-1')).toBe(true); // the lab's other object: verify drops it (sought)
  });

  it('leaves unrelated names and the same name alone', () => {
    expect(similarName('readiness-http', 'readiness-http')).toBe(false);
    expect(similarName('liveness-http', 'readiness-http')).toBe(false);
    expect(similarName('prd-myapp-pod', 'dev-myapp-pod')).toBe(false); // three edits on a 13-letter name
    expect(similarName('mynginx', 'myapp')).toBe(false);
    expect(similarName('web', 'web1')).toBe(true); // one edit away, whatever the length
    expect(similarName('web', 'web-1')).toBe(false); // two edits on a three-letter name
    expect(similarName('abc', 'abc-long-suffix')).toBe(false); // too short to be a prefix worth naming
  });
});

describe('a container of another name', () => {
  const pod = { kind: 'Pod', metadata: { name: 'readiness-http', namespace: 'readiness' }, spec: { containers: [{ name: 'sidecar' }, { name: 'readines' }] } };

  it('names the pod’s containers and picks the close one', () => {
    expect(containerNearMiss(pod, 'readiness')).toEqual({
      differs: 'container', kind: 'Pod', namespace: 'readiness', names: ['readiness-http'], container: 'readines',
      says: 'Pod "readiness-http" has no container "readiness"; its containers: sidecar, readines (this task looks for the container named "readiness")',
    });
  });

  it('a pod with no containers says so', () => {
    expect(containerNearMiss({ ...pod, spec: {} }, 'readiness').says).toContain('its containers: none');
  });
});
