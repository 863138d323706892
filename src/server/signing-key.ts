// The key that signs page tokens, kept with the platform's data (mode 0600) so that tokens in
// open tabs stay valid across a server restart. Made once, atomically: two servers starting at
// the same moment end up with the same key.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const KEY_BYTES = 32;

export function loadSigningKey(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`could not create the token signing key ${file}: ${(error as Error).message}`);
  }
  // Someone (a backup restore, a copy) may have widened it: the key is a password to every shell.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length < KEY_BYTES) throw new Error(`token signing key ${file} is damaged (${key.length} bytes): delete it and restart (open tabs will need a reload)`);
  return key;
}
