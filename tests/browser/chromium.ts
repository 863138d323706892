// The browser every browser test drives: Debian's chromium (never a downloaded build). `npm test`
// provides it as `npm start` provides Docker: installed with apt-get when missing and run as root,
// otherwise one line saying the exact command.
import { existsSync } from 'node:fs';
import { aptEnsure } from '../../src/environments/docker/engine.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function ensureChromium(log: (line: string) => void): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  // A browser the user named is theirs to provide: installing Debian's would test another one.
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${CHROMIUM} does not exist: point it at a chromium binary or unset it to use Debian's /usr/bin/chromium`);
  const started = Date.now();
  log('browser tests: /usr/bin/chromium is missing, installing Debian\'s chromium (apt-get install chromium)');
  await aptEnsure(['chromium'], () => {});
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
  log(`browser tests: chromium installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
