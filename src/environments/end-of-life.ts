// The toolchain's pinned minors go out of support on known dates (kind/toolchain/versions.env,
// *_END_OF_LIFE). Past one, users get one line saying so — a warning, never a failure: an old
// checkout keeps working offline, it just teaches a version nobody patches any more.
import { toolchainVersions } from './toolchain.ts';

const PINNED = [
  { name: 'Kubernetes', version: 'KUBERNETES_VERSION', endOfLife: 'KUBERNETES_END_OF_LIFE' },
  { name: 'containerd', version: 'CONTAINERD_VERSION', endOfLife: 'CONTAINERD_END_OF_LIFE' },
] as const;

/** "v1.34.4" → "1.34" */
const minorOf = (version: string): string => version.replace(/^v/, '').split('.').slice(0, 2).join('.');

/** One line per pinned minor whose end of life is before `today` (YYYY-MM-DD compared as dates). */
export function endOfLifeWarnings(today: Date = new Date(), versions: Record<string, string> = toolchainVersions()): string[] {
  const day = today.toISOString().slice(0, 10);
  return PINNED.flatMap(({ name, version, endOfLife }) => {
    const date = versions[endOfLife];
    const pinned = versions[version];
    if (!date || !pinned || !/^\d{4}-\d{2}-\d{2}$/.test(date) || day <= date) return [];
    return [`${name} ${minorOf(pinned)} reached end of life on ${date}; this checkout's course still uses it (${pinned})`];
  });
}
