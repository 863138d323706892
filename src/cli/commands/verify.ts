// `labs verify <lab>`: grade a lab against the cluster (read-only) and show each check as it resolves.
import { type Command, type Io } from '../command.ts';
import { clusterChoice, clusterFlags, clusterUsage, paint, parse, seconds } from '../args.ts';
import { UsageError } from '../command.ts';
import { columnsIn, fitColumns, verifyWords, type VerifyWords } from './verify-words.ts';

const usage = `Usage: labs verify <lab> [--json] [--wait <seconds>] [--lang <en|ko>] [--cluster <name>] [--context <name>] [--kubeconfig <file>]

Checks the cluster against a lab's tasks and shows each check as it resolves, with the hint
and what was found for every check that fails. Reads only; changes nothing.
<lab> is the lab's number (1, 01) or folder name (01-liveness).

Options:
  --json               print exactly one JSON object on stdout: the LabResult (exit 0 or 1),
                       or, when the lab could not be graded (exit 2),
                       {"error": {"kind": "usage" | "infrastructure", "message": "<the stderr line>"}}
  --wait <seconds>     let time-dependent checks (restarts, readiness, sync) wait up to this
                       long for the cluster to get there (default 0: report the current state)
  --lang <en|ko>       the language of what is printed (default: LC_ALL, LC_MESSAGES or LANG,
                       ko_KR.UTF-8 is Korean); --json stays English, with a "localized" field in Korean
${clusterUsage}
  -h, --help           show this help

Exit status: 0 all checks passed, 1 a check failed, 2 usage error or cluster unreachable.`;

const command: Command = {
  name: 'verify',
  usage,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(
      argv,
      { json: { type: 'boolean' }, wait: { type: 'string' }, lang: { type: 'string' }, ...clusterFlags },
      { min: 1, max: 1, names: '<lab> (a number such as 1, or a folder name)' },
    );
    const waitSeconds = seconds(values.wait, '--wait') ?? 0;
    if (values.lang !== undefined && !['en', 'ko'].includes(values.lang)) throw new UsageError(`--lang expects en or ko, got ${JSON.stringify(values.lang)}`);
    const { verifyLab, findLab, connect } = await import('../../../grader/index.ts');
    const { languageOf, resultWords } = await import('../../../grader/result-words.ts');
    const { labInLanguage } = await import('../../../grader/lab-schema.ts');
    const { inKorean } = await import('../../../grader/words-ko.ts');
    const language = values.lang ? languageOf(values.lang) : languageOf(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG);
    const found = await findLab(positionals[0]!);
    // The lab in the chosen language (lab.yaml's ko: block), English where untranslated.
    const translatable = { ...found, translations: found.ko ? { ko: found.ko } : {} };
    const lab = language === 'ko' ? { ...found, title: found.ko?.title ?? found.title } : found;
    const taskWords = new Map(language === 'ko' ? labInLanguage(translatable, 'ko').tasks.map((t) => [t.id, t]) : []);
    const w: VerifyWords = verifyWords[language];
    const say = (text: string) => (language === 'ko' ? inKorean(text) : text);
    const cluster = await connect(clusterChoice(values));
    const style = paint(io.color);
    const live = io.interactive && !values.json;
    const show = !values.json;
    if (show) {
      io.out(`${style.bold(`${w.lab} ${String(lab.number).padStart(2, '0')} · ${lab.title}`)} ${style.dim(`(context ${cluster.contextName})`)}`);
    }

    const result = await verifyLab(lab.id, {
      cluster,
      waitSeconds,
      onCheckStart: (task) => {
        // The pending line is rewritten in place (one line up): it must fit on one terminal line.
        const title = fitColumns(taskWords.get(task.id)?.title ?? task.title, (process.stdout.columns || 80) - 5 - (waitSeconds ? columnsIn(w.waiting) : 0));
        if (live) io.out(`  ${style.yellow('…')} ${title}${waitSeconds ? style.dim(w.waiting) : ''}`);
      },
      onCheck: (check) => {
        if (!show) return;
        const mark = check.passed ? style.green('✓') : style.red('✗');
        const max = lab.tasks.find((task) => task.id === check.id)?.points ?? check.points;
        const line = `  ${mark} ${taskWords.get(check.id)?.title ?? check.title} ${style.dim(`${check.points}/${max}`)}`;
        // Interactive: replace the pending line in place; otherwise print once resolved.
        io.out(live ? `\x1b[1A\x1b[2K${line}` : line);
        if (!check.passed) {
          if (check.expected) io.out(`      ${w.expected}${say(check.expected)}`);
          if (check.observed) io.out(`      ${w.observed}${say(check.observed)}`);
          if (check.hint) io.out(`      ${style.cyan(w.hint)}${' '.repeat(w.hintGap)}${taskWords.get(check.id)?.hint.trim() ?? check.hint}`);
          for (const line of check.diagnostics ?? []) io.out(style.dim(`      │ ${line}`));
        }
      },
    });

    if (values.json) {
      // The result as it is (English, for programs); in Korean, its words beside it.
      io.out(JSON.stringify(language === 'ko' ? { ...result, localized: resultWords(result, translatable, 'ko') } : result, null, 2));
    } else {
      const summary = w.summary(result.score, result.maxScore, (result.durationMs / 1000).toFixed(1));
      io.out(result.passed ? style.green(`${w.passed} · ${summary}`) : style.red(`${w.notYet} · ${summary}`));
      if (!result.passed && !waitSeconds) io.out(style.dim(w.waitNote(lab.number)));
    }
    return result.passed ? 0 : 1;
  },
};

export default command;
