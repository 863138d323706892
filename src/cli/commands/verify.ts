// `labs verify <lab>`: grade a lab against the cluster (read-only) and show each check as it resolves.
import { type Command, type Io } from '../command.ts';
import { clusterChoice, clusterFlags, clusterUsage, paint, parse, seconds } from '../args.ts';

const usage = `Usage: labs verify <lab> [--json] [--wait <seconds>] [--cluster <name>] [--context <name>] [--kubeconfig <file>]

Checks the cluster against a lab's tasks and shows each check as it resolves, with the hint
and what was found for every check that fails. Reads only; changes nothing.
<lab> is the lab's number (1, 01) or folder name (01-liveness).

Options:
  --json               print exactly one JSON object on stdout: the LabResult (exit 0 or 1),
                       or, when the lab could not be graded (exit 2),
                       {"error": {"kind": "usage" | "infrastructure", "message": "<the stderr line>"}}
  --wait <seconds>     let time-dependent checks (restarts, readiness, sync) wait up to this
                       long for the cluster to get there (default 0: report the current state)
${clusterUsage}
  -h, --help           show this help

Exit status: 0 all checks passed, 1 a check failed, 2 usage error or cluster unreachable.`;

const command: Command = {
  name: 'verify',
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(
      argv,
      { json: { type: 'boolean' }, wait: { type: 'string' }, ...clusterFlags },
      { min: 1, max: 1, names: '<lab> (a number such as 1, or a folder name)' },
    );
    const waitSeconds = seconds(values.wait, '--wait') ?? 0;
    const { verifyLab, findLab, connect } = await import('../../../grader/index.ts');
    const lab = await findLab(positionals[0]!);
    const cluster = await connect(clusterChoice(values));
    const style = paint(io.color);
    const live = io.interactive && !values.json;
    const show = !values.json;
    if (show) {
      io.out(`${style.bold(`Lab ${String(lab.number).padStart(2, '0')} · ${lab.title}`)} ${style.dim(`(context ${cluster.contextName})`)}`);
    }

    const result = await verifyLab(lab.id, {
      cluster,
      waitSeconds,
      onCheckStart: (task) => {
        if (live) io.out(`  ${style.yellow('…')} ${task.title}${waitSeconds ? style.dim(' (waiting)') : ''}`);
      },
      onCheck: (check) => {
        if (!show) return;
        const mark = check.passed ? style.green('✓') : style.red('✗');
        const max = lab.tasks.find((task) => task.id === check.id)?.points ?? check.points;
        const line = `  ${mark} ${check.title} ${style.dim(`${check.points}/${max}`)}`;
        // Interactive: replace the pending line in place; otherwise print once resolved.
        io.out(live ? `\x1b[1A\x1b[2K${line}` : line);
        if (!check.passed) {
          if (check.expected) io.out(`      expected  ${check.expected}`);
          if (check.observed) io.out(`      observed  ${check.observed}`);
          if (check.hint) io.out(`      ${style.cyan('hint')}      ${check.hint}`);
          for (const line of check.diagnostics ?? []) io.out(style.dim(`      │ ${line}`));
        }
      },
    });

    if (values.json) {
      io.out(JSON.stringify(result, null, 2));
    } else {
      const summary = `${result.score}/${result.maxScore} points in ${(result.durationMs / 1000).toFixed(1)} s`;
      io.out(result.passed ? style.green(`passed · ${summary}`) : style.red(`not yet · ${summary}`));
      if (!result.passed && !waitSeconds) {
        io.out(style.dim(`(checks report the cluster as it is now; \`labs verify ${lab.number} --wait 60\` waits for pods to get there)`));
      }
    }
    return result.passed ? 0 : 1;
  },
};

export default command;
