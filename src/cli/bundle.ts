// The CLI as one CommonJS file (esbuild), which starts in about a fifth less CPU than these sources
// as ES modules: no module resolution, no type stripping, and builtins through require(), which
// does not evaluate every lazy export of node:fs or node:util as an ES module import does.
//
// Built by the first run that finds none current (./launch.cts, what bin/labs starts), never
// committed: it lives under node_modules/.cache/kubernetes-labs-cli/, named by the hash of
// everything it was built from (sources, this builder, esbuild's and Node's versions). A manifest
// beside it keeps each input's identity (size, mtime, inode), so a run tells whether the bundle is
// current by stat() alone; an edited, added or removed source (a command, a lab) makes the next run
// build again.
//
// Inside the bundle every module keeps its own location: import.meta.url, dirname and filename
// are its source file's, and import.meta.resolve is resolved at build time. The commands of
// ./commands and the labs' check.ts are bundled too (./bundled-commands.ts,
// grader/bundled-checks.ts), so a check shares the bundle's grader.
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = process.getBuiltinModule('node:fs');
const { dirname, join, relative, resolve } = process.getBuiltinModule('node:path');
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url');

const cliDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(cliDir, '..', '..');
const entry = join(cliDir, 'cli.ts');
const commandsDir = join(cliDir, 'commands');
const labsDir = join(repoRoot, 'labs');
const bundledCommandsModule = join(cliDir, 'bundled-commands.ts');
const bundledChecksModule = join(repoRoot, 'grader', 'bundled-checks.ts');

/** What ./launch.cts reads to tell whether the bundle is current: every input's identity when it was read. */
export type Manifest = { node: string; bundle: string; inputs: [path: string, identity: string][] };

/** Size, mtime and inode: what ./launch.cts compares (the same format). */
const identityOf = (path: string): string => {
  try {
    const stats = statSync(path);
    return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
  } catch {
    return 'missing';
  }
};

const sourceFiles = (dir: string) =>
  readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts')).sort();

const labFolders = () => readdirSync(labsDir, { withFileTypes: true }).filter((e) => e.isDirectory() && /^\d{2}-/.test(e.name)).map((e) => e.name).sort();

/** ./bundled-commands.ts for the bundle: every command file, imported on demand. */
function commandsModule(): string {
  const entries = sourceFiles(commandsDir).map((name) => `  ${JSON.stringify(name.slice(0, -3))}: () => import(${JSON.stringify(join(commandsDir, name))}),`);
  return `export const bundledCommands = {\n${entries.join('\n')}\n};\n`;
}

/** grader/bundled-checks.ts for the bundle: every lab's check.ts by absolute path (what labFiles(lab).checks says). */
function checksModule(): string {
  const files = labFolders().map((folder) => join(labsDir, folder, 'check.ts')).filter((file) => existsSync(file));
  const entries = files.map((file) => `  ${JSON.stringify(file)}: () => import(${JSON.stringify(file)}),`);
  return `export const bundledChecks = {\n${entries.join('\n')}\n};\n`;
}

/** A source file with its import.meta uses replaced by what they mean at its own location. */
function withOwnImportMeta(path: string, text: string): string {
  const url = pathToFileURL(path).href;
  return text
    .replace(/import\.meta\.resolve\((['"])([^'"]+)\1\)/g, (_, _quote, specifier: string) =>
      JSON.stringify(specifier.startsWith('.') ? new URL(specifier, url).href : import.meta.resolve(specifier)))
    .replaceAll('import.meta.url', JSON.stringify(url))
    .replaceAll('import.meta.dirname', JSON.stringify(dirname(path)))
    .replaceAll('import.meta.filename', JSON.stringify(path));
}

/** sha256 of the inputs' contents and of what else shapes the output, shortened. */
async function contentHash(parts: (string | Uint8Array)[]): Promise<string> {
  const hash = (await import('node:crypto')).createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds the bundle into `dir` (a folder inside the checkout, where the bundle finds its packages),
 * unless one of the same content is there, and records it as the current one; returns its path.
 */
export async function buildBundle(dir: string): Promise<string> {
  const esbuild = await import('esbuild');
  // Each input's identity as it was when read: an edit during the build makes the bundle stale, not current.
  const seen = new Map<string, string>();
  const folders = [commandsDir, labsDir, ...labFolders().map((folder) => join(labsDir, folder))];
  for (const folder of folders) seen.set(folder, identityOf(folder));
  const builder = fileURLToPath(import.meta.url);
  seen.set(builder, identityOf(builder));
  const generated = new Map([[bundledCommandsModule, commandsModule()], [bundledChecksModule, checksModule()]]);
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    outfile: join(dir, 'cli.cjs'),
    metafile: true,
    logLevel: 'silent',
    plugins: [{
      name: 'labs-sources',
      setup(build) {
        build.onLoad({ filter: /\.ts$/ }, (args) => {
          seen.set(args.path, identityOf(args.path));
          return { contents: generated.get(args.path) ?? withOwnImportMeta(args.path, readFileSync(args.path, 'utf8')), loader: 'ts' };
        });
      },
    }],
  });
  const unsupported = result.warnings.find((w) => /import\.meta|require|dynamic/i.test(w.text));
  if (unsupported) throw new Error(`${unsupported.location?.file ?? entry}: ${unsupported.text}`);
  const code = result.outputFiles[0]!.contents;

  const inputs = Object.keys(result.metafile.inputs).map((path) => resolve(repoRoot, path)).sort();
  for (const input of inputs) if (!seen.has(input)) seen.set(input, identityOf(input)); // non-.ts inputs (JSON)
  const hash = await contentHash([process.version, esbuild.version, readFileSync(builder), ...inputs.flatMap((p) => [relative(repoRoot, p), readFileSync(p)]), code]);
  const bundle = `cli-${hash}.cjs`;

  mkdirSync(dir, { recursive: true });
  const write = (file: string, data: string | Uint8Array) => {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, file); // whole or not at all, also when several runs build at once
  };
  if (!existsSync(join(dir, bundle))) write(join(dir, bundle), code);
  // Folders: a command or lab added or removed changes their listing, which the bundle depends on.
  const manifest: Manifest = { node: process.version, bundle, inputs: [...seen] };
  write(join(dir, 'manifest.json'), JSON.stringify(manifest));
  // Earlier builds go (a run that read the old manifest and then finds its bundle gone runs the sources).
  for (const name of readdirSync(dir)) if (/^cli-[0-9a-f]+\.cjs$/.test(name) && name !== bundle) rmSync(join(dir, name), { force: true });
  return join(dir, bundle);
}
