// What the sandbox's `labs` reads from ~/.config/labs, as both providers write it: a course
// language only, and every path and content handed to the shell as data (the kubernetes
// provider's exec has no stdin, so they are arguments of the script; the local provider's go
// through stdin). The command runs here with the real sh, into a folder of the test's.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { labsConfigFiles, languagePath, languageText, writeFilesCommand } from './labs-config.ts';

const exec = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), 'labs-config-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("the sandbox's labs configuration", () => {
  it('the language file holds a course language and nothing else', () => {
    expect(languageText('ko')).toBe('ko\n');
    expect(languageText('en')).toBe('en\n');
    for (const value of ['fr', 'KO', 'ko_KR.UTF-8', 'ko\nrm -rf ~', '$(id)', '', undefined, 1]) {
      expect(() => languageText(value)).toThrow(/^not a language of this course: /);
    }
  });

  it('a hand-out writes the token and the language when it has them', () => {
    expect(labsConfigFiles('/home/learner', '/home/learner/.config/labs/token', { token: ' abc \n', language: 'ko' })).toEqual({
      '/home/learner/.config/labs/token': 'abc\n',
      '/home/learner/.config/labs/lang': 'ko\n',
    });
    expect(labsConfigFiles('/home/learner', '/t', { language: 'en' })).toEqual({ '/home/learner/.config/labs/lang': 'en\n' });
    expect(labsConfigFiles('/home/learner', '/t', {})).toEqual({});
    expect(() => labsConfigFiles('/home/learner', '/t', { language: 'ko; id' as 'ko' })).toThrow(/not a language/);
  });

  it('the exec command writes each file (mode 600) from its arguments: no content is ever shell text', async () => {
    const hostile = `$(touch ${home}/pwned)\`touch ${home}/pwned\`'"; touch ${home}/pwned\n`;
    const files = { [join(home, languagePath)]: languageText('ko'), [join(home, 'a b', 'odd $(file)')]: hostile };
    const command = writeFilesCommand(files);
    expect(command.slice(0, 2)).toEqual(['sh', '-c']);
    for (const content of Object.values(files)) expect(command[2]).not.toContain(content.trim());
    await exec(command[0]!, command.slice(1));
    expect(readFileSync(join(home, '.config/labs/lang'), 'utf8')).toBe('ko\n');
    expect(statSync(join(home, '.config/labs/lang')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, 'a b', 'odd $(file)'), 'utf8')).toBe(hostile);
    expect(() => statSync(join(home, 'pwned'))).toThrow();
    // A second write replaces the file whole (switching back and forth).
    await exec('sh', writeFilesCommand({ [join(home, languagePath)]: languageText('en') }).slice(1));
    expect(readFileSync(join(home, '.config/labs/lang'), 'utf8')).toBe('en\n');
  });
});
