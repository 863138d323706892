// `labs classroom init`: the instructor account classroom mode signs in with (stored in the
// platform's database, password hashed with scrypt). Then `labs up --classroom`.
// `labs classroom clean`: removes what classroom mode made on this machine (after a class).
import { type Command, type Io, UsageError } from '../command.ts';
import { parse } from '../args.ts';

const usage = `Usage: labs classroom init [--username <name>] [--password-stdin]
       labs classroom clean [--dry-run] [--json] [--pool <name>]

Creates the instructor account for classroom mode (one per machine is enough; run it again
with another --username for a second instructor). The password is asked for without echo, or
read from standard input with --password-stdin (at least 12 characters).

Then start the classroom: labs up --classroom [--host <addr>] [--tls-cert <pem> --tls-key <pem>]
and open the printed URL: /classroom/ to sign in, /join for learners.

clean removes, after a class, what classroom mode made on this machine: every learner
environment's kind cluster, sandbox container, network, home and assignment volumes (the
learners' files go too, with their filesystem images), and the read-only registry mirror when
no learner network is left.
Stop the classroom server first (a running one makes its warm environments again).
Results stay in the database (export them first if you want them elsewhere).

Options:
  --username <name>   init: the instructor's sign-in name (default: instructor)
  --password-stdin    init: read the password from standard input (scripts)
  --dry-run           clean: list what would be removed, remove nothing
  --json              clean: the plan (and what failed) as JSON
  --pool <name>       clean: only this pool's objects (default: every classroom pool;
                      the shared read-only mirror goes only then)
  -h, --help          show this help`;

/** `labs classroom clean`: the plan, then (unless --dry-run) its removal. */
async function clean(values: { 'dry-run'?: boolean; json?: boolean; pool?: string }, io: Io): Promise<number> {
  const { applyCleanPlan, cleanPlan, findClassroomObjects } = await import('../../environments/classroom/clean.ts');
  const plan = cleanPlan(await findClassroomObjects(), values.pool);
  const dry = values['dry-run'] ?? false;
  const failed = dry ? [] : await applyCleanPlan(plan, values.json ? undefined : (line) => io.out(line));
  if (values.json) {
    io.out(JSON.stringify({ dryRun: dry, ...plan, failed }, null, 2));
  } else {
    const lines = [
      ['kind clusters', plan.clusters], ['containers', plan.containers], ['networks', plan.networks], ['volumes', plan.volumes],
      ['read-only mirror', plan.mirror ? ['kubernetes-labs-registry-ro'] : []],
    ] as const;
    const count = lines.reduce((n, [, names]) => n + names.length, 0);
    if (count === 0) {
      io.out('nothing of a classroom on this machine');
    } else if (dry) {
      for (const [what, names] of lines) if (names.length > 0) io.out(`would remove ${what}: ${names.join(' ')}`);
    } else {
      io.out(`removed ${count - failed.length} of ${count} objects`);
    }
    for (const line of failed) io.err(`labs classroom clean: ${line}`);
  }
  return failed.length > 0 ? 1 : 0;
}

/** A line typed on the terminal without echo (raw mode), or stdin's first line when piped. */
async function readSecret(prompt: string, fromStdin: boolean, io: Io): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let value = '';
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(value);
        }
        if (char === '\u0003') {
          process.stdin.setRawMode(false);
          io.err('');
          return reject(new UsageError('cancelled'));
        }
        value = char === '\u007f' ? value.slice(0, -1) : value + char;
      }
    };
    process.stdin.on('data', onData);
  });
}

const command: Command = {
  name: 'classroom',
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(argv, {
      username: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, pool: { type: 'string' },
    }, { min: 1, max: 1, names: 'subcommand (init, clean)' });
    if (positionals[0] === 'clean') return clean(values, io);
    if (positionals[0] !== 'init') throw new UsageError(`unknown subcommand "${positionals[0]}" (init, clean)`);
    const { join } = await import('node:path');
    const { dataDir } = await import('../../base/paths.ts');
    const { openDatabase } = await import('../../store/database.ts');
    const { Accounts, AccountError } = await import('../../classroom/accounts.ts');
    const file = join(dataDir(), 'progress.sqlite');
    const db = openDatabase(file);
    try {
      const username = values.username ?? 'instructor';
      const password = await readSecret(`password for ${username} (12+ characters): `, values['password-stdin'] ?? false, io);
      if (!values['password-stdin'] && process.stdin.isTTY) {
        const again = await readSecret('again: ', false, io);
        if (again !== password) throw new UsageError('the two passwords differ');
      }
      try {
        await new Accounts(db).createInstructor(username, password);
      } catch (error) {
        if (error instanceof AccountError) throw new UsageError(error.message);
        throw error;
      }
      io.out(`instructor "${username}" created in ${file}`);
      io.out('start the class with: labs up --classroom   (then sign in at /classroom/)');
      return 0;
    } finally {
      db.close();
    }
  },
};

export default command;
