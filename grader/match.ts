// Partial-object matching in the spirit of Chainsaw's assertions: the expected object lists only
// the fields that matter; everything else in the actual object is ignored.
//   - objects: every expected key must match the actual value at that key
//   - arrays: every expected element must match a distinct actual element (order ignored);
//     elements are paired by `name` when the expected element has one, for precise messages
//   - scalars: strict equality; a Matcher (atLeast(1), oneOf(…), …) for anything looser
// Pure logic: no cluster access here.

const matcherBrand = Symbol('matcher');

export type Matcher = {
  readonly [matcherBrand]: true;
  /** How the expectation reads in a result, e.g. "≥ 1". */
  readonly describe: string;
  test(actual: unknown): boolean;
};

export const matcher = (describe: string, test: (actual: unknown) => boolean): Matcher => ({
  [matcherBrand]: true,
  describe,
  test,
});

export const isMatcher = (value: unknown): value is Matcher =>
  typeof value === 'object' && value !== null && matcherBrand in value;

export const atLeast = (n: number) => matcher(`≥ ${n}`, (v) => typeof v === 'number' && v >= n);
export const atMost = (n: number) => matcher(`≤ ${n}`, (v) => typeof v === 'number' && v <= n);
export const oneOf = (...values: unknown[]) =>
  matcher(`one of ${values.map(show).join(', ')}`, (v) => values.some((value) => value === v));
export const not = (inner: unknown) =>
  matcher(`not ${describeExpected(inner)}`, (v) => findMismatch(v, inner) !== undefined);
export const includes = (text: string) =>
  matcher(`containing ${show(text)}`, (v) => typeof v === 'string' && v.includes(text));
export const matches = (pattern: RegExp) =>
  matcher(`matching ${pattern}`, (v) => typeof v === 'string' && pattern.test(v));
/** The field must be missing (undefined or null). */
export const absent = matcher('absent', (v) => v === undefined || v === null);
/** The field must be set to anything. */
export const present = matcher('present', (v) => v !== undefined && v !== null);
/** Equal as text: 8080 and "8080" (intOrString fields such as probe ports). */
export const sameText = (value: string | number) =>
  matcher(show(value), (v) => (typeof v === 'string' || typeof v === 'number') && String(v) === String(value));

export type Mismatch = { path: string; expected: string; observed: string };

/** Short single-line rendering of a value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'absent';
  if (typeof value === 'string') return JSON.stringify(value);
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function describeExpected(expected: unknown): string {
  return isMatcher(expected) ? expected.describe : show(expected);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isMatcher(value);

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** The first difference between actual and the partial expectation, or undefined when it matches. */
export function findMismatch(actual: unknown, expected: unknown, path = ''): Mismatch | undefined {
  if (isMatcher(expected)) {
    return expected.test(actual) ? undefined : { path, expected: expected.describe, observed: show(actual) };
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return { path, expected: 'a list', observed: show(actual) };
    return findArrayMismatch(actual, expected, path);
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return { path, expected: 'an object', observed: show(actual) };
    for (const [key, value] of Object.entries(expected)) {
      const mismatch = findMismatch(actual[key], value, join(path, key));
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : { path, expected: show(expected), observed: show(actual) };
}

function findArrayMismatch(actual: unknown[], expected: unknown[], path: string): Mismatch | undefined {
  const used = new Set<number>();
  for (const [index, want] of expected.entries()) {
    const found = actual.findIndex((item, i) => !used.has(i) && findMismatch(item, want) === undefined);
    if (found >= 0) {
      used.add(found);
      continue;
    }
    // Explain the failure against the most likely counterpart: same `name`, else same position.
    const name = isPlainObject(want) && typeof want.name === 'string' ? want.name : undefined;
    const byName = name === undefined ? -1 : actual.findIndex((item) => isPlainObject(item) && item.name === name);
    const label = name === undefined ? `${path}[${index}]` : `${path}[${name}]`;
    if (byName >= 0) return findMismatch(actual[byName], want, label);
    if (name !== undefined) return { path: label, expected: 'present', observed: 'absent' };
    const single = actual.length === 1 ? findMismatch(actual[0], want, `${path}[0]`) : undefined;
    return single ?? { path: label, expected: `another element matching ${show(want)}`, observed: show(actual) };
  }
  return undefined;
}

export const matchesPartially = (actual: unknown, expected: unknown): boolean =>
  findMismatch(actual, expected) === undefined;

export const describeMismatch = (m: Mismatch): string =>
  `${m.path || '(object)'}: expected ${m.expected}, observed ${m.observed}`;

/** Equality-based label selector: every key=value must be present on the object. */
export function labelsMatch(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}
