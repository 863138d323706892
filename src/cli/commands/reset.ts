// `labs reset <lab>`: remove what a lab created so it can be done again.
import { type Command, type Io } from '../command.ts';
import { clusterChoice, clusterFlags, clusterUsage, paint, parse, seconds } from '../args.ts';

const usage = `Usage: labs reset <lab> [--remove-strays] [--timeout <seconds>] [--cluster <name>] [--context <name>] [--kubeconfig <file>]

Deletes what the lab created — its namespaces (with everything in them, Helm releases
included) and any objects its lab.yaml lists under setup.cleanup — and waits until they are
gone, and seeds the git repositories it lists under setup.repositories afresh from the starter
(lab 08's gitops: the one the cluster's Argo CD reads), so the lab can be done again from the start.
Then it names the lab's objects that landed in another namespace (a manifest applied without
-n lands in default) and, asked on a terminal or given --remove-strays, deletes them too.

Options:
  --remove-strays      delete the lab's objects found in other namespaces without asking
  --timeout <seconds>  give up waiting after this long (default 180)
${clusterUsage}
  -h, --help           show this help`;

/** One line typed on the terminal. */
async function ask(prompt: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
  }
}

const yes = (answer: string) => /^\s*y(es)?\s*$/i.test(answer);

const command: Command = {
  name: 'reset',
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(argv, { timeout: { type: 'string' }, 'remove-strays': { type: 'boolean' }, ...clusterFlags }, { min: 1, max: 1, names: '<lab>' });
    const { resetLab } = await import('../../../labs/lifecycle.ts');
    const style = paint(io.color);
    const lab = await resetLab(positionals[0]!, {
      ...clusterChoice(values),
      timeoutSeconds: seconds(values.timeout, '--timeout'),
      onOutput: (line) => io.out(style.dim(`  ${line}`)),
      removeStrays: async (strays) => {
        if (values['remove-strays']) return true;
        if (!io.interactive || !process.stdin.isTTY) return false;
        io.out(`this lab's objects in other namespaces: ${strays.map((s) => `${s.kind} ${s.namespace}/${s.name}`).join(', ')}`);
        return yes(await ask('remove them too? [y/N] '));
      },
    });
    io.out(style.green(`lab ${lab.id} reset`));
    return 0;
  },
};

export default command;
