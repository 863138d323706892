// `labs solve <lab>`: run the lab's reference solution (what a learner would type).
import { type Command, type Io } from '../command.ts';
import { clusterChoice, clusterFlags, clusterUsage, paint, parse } from '../args.ts';

const usage = `Usage: labs solve <lab> [--workdir <dir>] [--cluster <name>] [--context <name>] [--kubeconfig <file>]

Runs the lab's solve.sh: the commands a learner would type (kubectl, helm, kustomize, git),
in a scratch copy of the lab's files/ (never the repository). Safe to run again.
Then \`labs verify <lab> --wait 90\` grades the result.

Options:
  --workdir <dir>      work in this directory instead of a fresh temporary one
${clusterUsage}
  -h, --help           show this help

Exit status: 0 the solution ran, 1 it failed, 2 usage error or no such lab.`;

const command: Command = {
  name: 'solve',
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(argv, { workdir: { type: 'string' }, ...clusterFlags }, { min: 1, max: 1, names: '<lab>' });
    const { solveLab } = await import('../../../labs/lifecycle.ts');
    const style = paint(io.color);
    const code = await solveLab(positionals[0]!, {
      ...clusterChoice(values),
      workdir: values.workdir,
      onOutput: (line) => io.out(style.dim(`  ${line}`)),
    });
    io.out(code === 0 ? style.green('solution applied') : style.red(`solve.sh exited with status ${code}`));
    return code === 0 ? 0 : 1;
  },
};

export default command;
