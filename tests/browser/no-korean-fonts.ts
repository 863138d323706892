// A chromium that sees this machine's fonts minus every one with Korean in it, like the lab PCs of
// issue #23: a fontconfig of its own (FONTCONFIG_FILE) over a folder of links to the other fonts.
// Without fc-list the folder stays empty: no system font at all, so none with Korean either.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

function fontFiles(pattern: string, env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    return execFileSync('fc-list', [pattern, '--format', '%{file}\n'], { encoding: 'utf8', env }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** The environment for launchBrowser, and the Korean fonts that chromium can still see (none). */
export function withoutKoreanFonts(): { env: Record<string, string>; koreanFontsLeft: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'labs-fonts-'));
  const fonts = join(dir, 'fonts');
  mkdirSync(fonts);
  const korean = new Set(fontFiles(':lang=ko'));
  for (const [i, file] of [...new Set(fontFiles(':'))].filter((f) => !korean.has(f)).entries()) symlinkSync(file, join(fonts, `${i}-${basename(file)}`));
  const config = join(dir, 'fonts.conf');
  writeFileSync(config, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${fonts}</dir>\n  <cachedir>${join(dir, 'cache')}</cachedir>\n</fontconfig>\n`);
  const env = { FONTCONFIG_FILE: config };
  return { env, koreanFontsLeft: () => fontFiles(':lang=ko', { ...process.env, ...env }) };
}
