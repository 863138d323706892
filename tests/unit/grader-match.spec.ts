import { describe, expect, it } from 'vitest';
import {
  absent, atLeast, describeMismatch, findMismatch, includes, labelsMatch, not, oneOf, present, sameText,
} from '../../grader/match.ts';

const pod = {
  metadata: { name: 'liveness-http', labels: { test: 'liveness' } },
  spec: {
    containers: [
      { name: 'sidecar', image: 'busybox' },
      {
        name: 'liveness',
        image: 'registry.k8s.io/e2e-test-images/agnhost:2.40',
        args: ['liveness'],
        livenessProbe: { httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'Custom-Header', value: 'Awesome' }] }, periodSeconds: 3 },
      },
    ],
  },
  status: { containerStatuses: [{ name: 'liveness', restartCount: 2, lastState: { terminated: { reason: 'Error', exitCode: 2 } } }] },
};

describe('partial match', () => {
  it('ignores fields the expectation does not name', () => {
    expect(findMismatch(pod, { metadata: { name: 'liveness-http' } })).toBeUndefined();
  });

  it('matches list elements in any order, paired by name', () => {
    const expected = { spec: { containers: [{ name: 'liveness', livenessProbe: { httpGet: { port: 8080 } } }] } };
    expect(findMismatch(pod, expected)).toBeUndefined();
  });

  it('names the exact path of a difference inside a named list element', () => {
    const mismatch = findMismatch(pod, { spec: { containers: [{ name: 'liveness', livenessProbe: { httpGet: { port: 8081 } } }] } });
    expect(mismatch).toEqual({ path: 'spec.containers[liveness].livenessProbe.httpGet.port', expected: '8081', observed: '8080' });
    expect(describeMismatch(mismatch!)).toBe('spec.containers[liveness].livenessProbe.httpGet.port: expected 8081, observed 8080');
  });

  it('reports a missing named element', () => {
    expect(findMismatch(pod, { spec: { containers: [{ name: 'web' }] } })).toEqual({
      path: 'spec.containers[web]',
      expected: 'present',
      observed: 'absent',
    });
  });

  it('requires distinct actual elements for distinct expected elements', () => {
    expect(findMismatch({ args: ['a'] }, { args: ['a', 'a'] })).toBeDefined();
    expect(findMismatch({ args: ['a', 'b', 'a'] }, { args: ['a', 'a'] })).toBeUndefined();
  });

  it('compares scalars strictly', () => {
    expect(findMismatch({ port: '8080' }, { port: 8080 })).toBeDefined();
    expect(findMismatch({ replicas: 2 }, { replicas: 2 })).toBeUndefined();
  });

  it('reports a type mismatch where an object or a list was expected', () => {
    expect(findMismatch({ spec: 'x' }, { spec: { a: 1 } })).toMatchObject({ path: 'spec', expected: 'an object' });
    expect(findMismatch({ args: 'x' }, { args: ['x'] })).toMatchObject({ path: 'args', expected: 'a list' });
  });
});

describe('matchers', () => {
  it('atLeast', () => {
    expect(findMismatch(pod, { status: { containerStatuses: [{ restartCount: atLeast(1) }] } })).toBeUndefined();
    expect(findMismatch({ restartCount: 0 }, { restartCount: atLeast(1) })).toEqual({ path: 'restartCount', expected: '≥ 1', observed: '0' });
    expect(findMismatch({}, { restartCount: atLeast(1) })).toMatchObject({ observed: 'absent' });
  });

  it('not + oneOf tells an OOM kill from a liveness kill', () => {
    const killed = { lastState: { terminated: { reason: not(oneOf('OOMKilled', 'Completed')) } } };
    expect(findMismatch({ lastState: { terminated: { reason: 'Error' } } }, killed)).toBeUndefined();
    expect(findMismatch({ lastState: { terminated: { reason: 'OOMKilled' } } }, killed)).toMatchObject({
      expected: 'not one of "OOMKilled", "Completed"',
      observed: '"OOMKilled"',
    });
  });

  it('absent and present', () => {
    expect(findMismatch({ readinessProbe: {} }, { livenessProbe: absent })).toBeUndefined();
    expect(findMismatch({ livenessProbe: {} }, { livenessProbe: absent })).toBeDefined();
    expect(findMismatch({ startupProbe: { exec: {} } }, { startupProbe: present })).toBeUndefined();
    expect(findMismatch({}, { startupProbe: present })).toBeDefined();
  });

  it('includes and sameText', () => {
    expect(findMismatch({ message: 'Container liveness failed liveness probe, will be restarted' }, { message: includes('failed liveness probe') })).toBeUndefined();
    expect(findMismatch({ port: '8080' }, { port: sameText(8080) })).toBeUndefined();
    expect(findMismatch({ port: 8080 }, { port: sameText('8080') })).toBeUndefined();
    expect(findMismatch({ port: 'http' }, { port: sameText(8080) })).toBeDefined();
  });
});

describe('label selectors', () => {
  it('every key must match', () => {
    expect(labelsMatch({ app: 'nginx', env: 'test' }, { app: 'nginx' })).toBe(true);
    expect(labelsMatch({ app: 'nginx' }, { app: 'nginx', env: 'test' })).toBe(false);
    expect(labelsMatch(undefined, {})).toBe(true);
    expect(labelsMatch(undefined, { app: 'x' })).toBe(false);
  });
});
