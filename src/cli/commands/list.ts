// `labs list`: the course's labs in order.
import { type Command, type Io } from '../command.ts';
import { paint, parse } from '../args.ts';

const usage = `Usage: labs list [--json]

Lists the course's labs in order: number, title, lesson, namespace and points.

Options:
  --json      print the labs as a JSON array
  -h, --help  show this help`;

const command: Command = {
  name: 'list',
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values } = parse(argv, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
    const { listLabs } = await import('../../../grader/catalog.ts');
    const labs = await listLabs();
    if (values.json) {
      const plain = labs.map(({ dir: _dir, ...lab }) => lab);
      io.out(JSON.stringify(plain, null, 2));
      return 0;
    }
    const style = paint(io.color);
    const width = Math.max(...labs.map((lab) => lab.title.length));
    for (const lab of labs) {
      io.out(
        `${style.bold(String(lab.number).padStart(2, '0'))}  ${lab.title.padEnd(width)}  ${style.dim(
          `${lab.lesson} · ns ${lab.namespace} · ${lab.tasks.length} tasks · ${lab.maxScore} pts`,
        )}`,
      );
    }
    return 0;
  },
};

export default command;
