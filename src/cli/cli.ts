// `labs`: dispatches a verb to src/cli/commands/<verb>.ts. Commands are loaded on demand, so
// `labs list` never pays for the Kubernetes client and `labs --help` loads none; a verb whose
// module is missing from this build says so instead of failing. ./main.ts runs this from the
// bundle (./bundle.ts) when it is current, else from these sources.
import { existsSync } from 'node:fs';
import { UsageError, type Command, type ErrorObject, type Io } from './command.ts';
import { bundledCommands } from './bundled-commands.ts';
import { InvalidClusterNameError } from '../base/paths.ts';
import { ClusterError, LabNotFoundError } from '../../grader/errors.ts';

/** Every verb, in help order, with its one-line summary. */
const verbs = {
  list: 'list the labs of the course',
  verify: 'check a lab against the cluster',
  hint: "show a lab's tasks and hints",
  solve: "run a lab's reference solution",
  reset: 'delete what a lab created',
  up: 'serve the lessons and terminal (same as npm start)',
  cluster: 'create, delete, reset or list your kind clusters; build offline images',
  addon: 'install an add-on into a cluster of the platform (argocd)',
  classroom: 'set up classroom mode (the instructor account)',
} as const;

// A reader that stops early (`labs list | head -3`) ends the output, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  color: !process.env.NO_COLOR && Boolean(process.stdout.isTTY),
  interactive: Boolean(process.stdout.isTTY),
};

const commandUrl = (verb: string) => new URL(`./commands/${verb}.ts`, import.meta.url);

async function load(verb: string): Promise<Command | undefined> {
  const bundled = bundledCommands[verb];
  try {
    return ((await (bundled ? bundled() : import(commandUrl(verb).href))) as { default: Command }).default;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`commands/${verb}.ts`);
    if (missing) return undefined;
    throw error;
  }
}

function help(): void {
  io.out('Usage: labs <command> [options]   (labs <command> --help for details)');
  io.out('');
  io.out('Learn Kubernetes by doing: labs graded by reading your cluster.');
  io.out('');
  for (const [verb, summary] of Object.entries(verbs)) {
    const available = bundledCommands[verb] !== undefined || existsSync(commandUrl(verb));
    io.out(`  ${verb.padEnd(8)} ${available ? summary : '(not available in this build)'}`);
  }
  io.out('');
  io.out('Exit status: 0 ok/passed, 1 checks failed, 2 usage or infrastructure error.');
}

/**
 * Every failure (exit 2) ends here: one line on stderr and, when `--json` was asked for, one
 * ErrorObject on stdout, so a script reading stdout always gets exactly one object. Grader, catalog
 * and cluster errors carry one actionable line; anything else is a bug, still reported in one line
 * (LABS_DEBUG=1 shows the stack).
 */
async function fail(prefix: string, error: unknown, argv: string[]): Promise<2> {
  const usage = error instanceof UsageError || error instanceof LabNotFoundError || error instanceof InvalidClusterNameError
    // A cluster choice the command line cannot have meant (--cluster naming no cluster). Its module
    // is loaded already when it threw one.
    || (error instanceof ClusterError && error instanceof (await import('../../grader/cluster-choice.ts')).ClusterChoiceError);
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  io.err(`${prefix}: ${message}${error instanceof UsageError ? ` (see ${prefix} --help)` : ''}`);
  if (process.env.LABS_DEBUG && error instanceof Error) io.err(error.stack ?? '');
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (options.includes('--json')) {
    const object: ErrorObject = { error: { kind: usage ? 'usage' : 'infrastructure', message } };
    io.out(JSON.stringify(object));
  }
  return 2;
}

/** Runs one `labs` command line; resolves with the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    help();
    return verb ? 0 : 2;
  }
  if (!Object.hasOwn(verbs, verb)) {
    return fail('labs', new UsageError(`unknown command "${verb}" (commands: ${Object.keys(verbs).join(', ')})`), rest);
  }
  const command = await load(verb);
  if (!command) {
    return fail(`labs ${verb}`, new Error(`not available in this build (src/cli/commands/${verb}.ts is missing)`), rest);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return fail(`labs ${verb}`, error, rest);
  }
}

