// `labs classroom init`: the instructor account classroom mode signs in with (stored in the
// platform's database, password hashed with scrypt). Then `labs up --classroom`.
import { type Command, type Io, UsageError } from '../command.ts';
import { parse } from '../args.ts';

const usage = `Usage: labs classroom init [--username <name>] [--password-stdin]

Creates the instructor account for classroom mode (one per machine is enough; run it again
with another --username for a second instructor). The password is asked for without echo, or
read from standard input with --password-stdin (at least 12 characters).

Then start the classroom: labs up --classroom [--host <addr>] [--tls-cert <pem> --tls-key <pem>]
and open the printed URL: /classroom/ to sign in, /join for learners.

Options:
  --username <name>   the instructor's sign-in name (default: instructor)
  --password-stdin    read the password from standard input (scripts)
  -h, --help          show this help`;

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
    const { values, positionals } = parse(argv, { username: { type: 'string' }, 'password-stdin': { type: 'boolean' } }, { min: 1, max: 1, names: 'subcommand (init)' });
    if (positionals[0] !== 'init') throw new UsageError(`unknown subcommand "${positionals[0]}" (init)`);
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
