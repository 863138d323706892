// `labs hint <lab>`: what each task asks and how to get there (no cluster needed).
import { type Command, type Io } from '../command.ts';
import { paint, parse } from '../args.ts';

const usage = `Usage: labs hint <lab> [--task <id>]

Prints a lab's tasks with their hints. <lab> is a number (1, 01) or a folder name.

Options:
  --task <id>  only this task's hint
  -h, --help   show this help`;

const command: Command = {
  name: 'hint',
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(argv, { task: { type: 'string' } }, { min: 1, max: 1, names: '<lab>' });
    const { findLab } = await import('../../../grader/catalog.ts');
    const { UsageError } = await import('../command.ts');
    const lab = await findLab(positionals[0]!);
    const tasks = values.task ? lab.tasks.filter((t) => t.id === values.task) : lab.tasks;
    if (!tasks.length) throw new UsageError(`lab ${lab.id} has no task "${values.task}" (tasks: ${lab.tasks.map((t) => t.id).join(', ')})`);
    const style = paint(io.color);
    io.out(style.bold(`Lab ${String(lab.number).padStart(2, '0')} · ${lab.title}`));
    io.out(style.dim(`lesson ${lab.lesson} · namespace ${lab.namespace}`));
    for (const task of tasks) {
      io.out('');
      io.out(`${style.bold(task.title)} ${style.dim(`(${task.id}, ${task.points} pts)`)}`);
      io.out(`  ${task.hint.trim()}`);
    }
    return 0;
  },
};

export default command;
