// Flag parsing shared by the commands: node:util parseArgs in strict mode, with its errors turned
// into UsageError (exit 2, one line).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T, positionals: { min: number; max: number; names: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] : String(error));
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`missing ${positionals.names}`);
  if (count > positionals.max) throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`);
  return parsed;
}

/** --kubeconfig/--context, shared by every command that talks to a cluster. */
export const clusterFlags = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
} as const;

export const clusterUsage = `  --kubeconfig <file>  kubeconfig to use (default: $KUBECONFIG, else the learner
                       cluster's, else ~/.kube/config)
  --context <name>     context in that kubeconfig (default: its current context)`;

export function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new UsageError(`${flag} expects a number of seconds, got "${value}"`);
  return number;
}

/** Minimal ANSI styling that respects Io.color. */
export function paint(color: boolean) {
  const wrap = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { green: wrap('32'), red: wrap('31'), yellow: wrap('33'), dim: wrap('2'), bold: wrap('1'), cyan: wrap('36') };
}
