// Flag parsing shared by the commands: node:util parseArgs in strict mode, with its errors turned
// into UsageError (exit 2, one line).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T, positionals: { min: number; max: number; names: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: withValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] : String(error));
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === '' || (Array.isArray(value) && value.includes(''))) throw new UsageError(`--${name} needs a value, got ""`);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`missing ${positionals.names}`);
  if (count > positionals.max) throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`);
  return parsed;
}

/**
 * argv with the value of every `--flag value` of a string option attached (`--flag=value`), so a
 * value that starts with a dash (`--wait -5`, `--name -x`) reaches the option's own check instead
 * of parseArgs' "argument is ambiguous"; a flag followed by another flag or by nothing says that it
 * needs a value.
 */
function withValues(argv: string[], options: Options): string[] {
  const stringFlags = new Set<string>();
  const flags = new Set<string>(['--']);
  for (const [name, option] of Object.entries(options)) {
    const spellings = [`--${name}`, ...(option.short ? [`-${option.short}`] : [])];
    for (const spelling of spellings) {
      flags.add(spelling);
      if (option.type === 'string') stringFlags.add(spelling);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return [...out, ...argv.slice(i)];
    if (!stringFlags.has(token)) {
      out.push(token);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${token} needs a value`);
    if (flags.has(value)) throw new UsageError(`${token} needs a value (got the option ${value})`);
    out.push(`${token}=${value}`);
    i++;
  }
  return out;
}

/** --cluster/--context/--kubeconfig, shared by every command that talks to a cluster (grader/kube.ts chooseCluster). */
export const clusterFlags = {
  cluster: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
} as const;

/** The parsed cluster flags as chooseCluster's options. */
export const clusterChoice = (values: { cluster?: string; kubeconfig?: string; context?: string }) =>
  ({ clusterName: values.cluster, kubeconfig: values.kubeconfig, context: values.context });

export const clusterUsage = `  --cluster <name>     a cluster the platform made (labs cluster list): its kubeconfig
                       and context kind-<name>
  --kubeconfig <file>  kubeconfig to use (default: $KUBECONFIG, else the learner
                       cluster's, else ~/.kube/config)
  --context <name>     context in that kubeconfig (default: its current context);
                       kind-<name> it lacks means the platform's cluster <name>`;

/** A duration flag: a plain decimal number of seconds, 0 or more ("", " ", "-5", "1e3", "0x10" are refused). */
export function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^(\d+\.?\d*|\.\d+)$/.test(value)) throw new UsageError(`${flag} expects a number of seconds (0 or more), got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Minimal ANSI styling that respects Io.color. */
export function paint(color: boolean) {
  const wrap = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { green: wrap('32'), red: wrap('31'), yellow: wrap('33'), dim: wrap('2'), bold: wrap('1'), cyan: wrap('36') };
}
