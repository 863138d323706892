// What the learner's `labs` (kind/images/toolbox/labs) reads from ~/.config/labs in their
// sandbox, whichever provider made it: the bearer token and the language it speaks (`lang`, read
// at every run, so a new value counts from the next command). Both providers write these files
// as data (base64 through stdin or argv), never inside a shell script's text.
import { isLanguage, type Language } from '../../content/schema.ts';

/** The language file under the sandbox's home. */
export const languagePath = '.config/labs/lang';

/** The language file's content: a course language only; anything else is refused. */
export function languageText(language: unknown): string {
  if (!isLanguage(language)) throw new Error(`not a language of this course: ${JSON.stringify(String(language).slice(0, 20))}`);
  return `${language}\n`;
}

/** The files a hand-out writes under `home`, by path: the token and the language, when known. */
export function labsConfigFiles(home: string, tokenFile: string, config: { token?: string; language?: Language }): Record<string, string> {
  const files: Record<string, string> = {};
  if (config.token) files[tokenFile] = config.token.trim() + '\n';
  if (config.language !== undefined) files[`${home}/${languagePath}`] = languageText(config.language);
  return files;
}

/** One file written from shell variables: "$data" (base64) to "$path", made beside it and moved in place. */
export const writeFileStep = 'mkdir -p "$(dirname "$path")" && printf %s "$data" | base64 -d > "$path.tmp" && mv -f "$path.tmp" "$path"';

/** A command (for an exec without stdin) writing `files` (mode 600): each path and its content in base64 are arguments of the script, never part of its text. */
export function writeFilesCommand(files: Record<string, string>): string[] {
  const args = Object.entries(files).flatMap(([path, content]) => [path, Buffer.from(content).toString('base64')]);
  return ['sh', '-c', `umask 077; while [ $# -ge 2 ]; do path=$1 data=$2; shift 2; ${writeFileStep} || exit 1; done`, 'sh', ...args];
}
