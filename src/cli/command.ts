// Every `labs <verb>` is a small module in ./commands/<verb>.ts exporting a default Command (its
// one-line summary is in main.ts, so `labs --help` loads none of them). Commands parse their flags
// and call a library, imported inside run(): loading a command for its --help stays cheap. They
// never talk to Kubernetes or Docker themselves.

export type Io = {
  out: (line: string) => void;
  err: (line: string) => void;
  /** false when NO_COLOR is set or stdout is not a TTY */
  color: boolean;
  /** true when stdout is a TTY (live lists, progress bars) */
  interactive: boolean;
};

export type Command = {
  name: string;
  /** Full --help text. */
  usage: string;
  /** Returns the exit code: 0 ok/passed, 1 checks failed, 2 usage or infrastructure error. */
  run: (argv: string[], io: Io) => Promise<number>;
};

export class UsageError extends Error {}

/**
 * What `--json` prints on stdout when a command fails (exit 2), the same shape every time:
 * `usage` when the command line or environment asked for something impossible (a flag, a lab, a
 * cluster name), `infrastructure` for everything else (kubeconfig, cluster, lab files, Docker).
 * `message` is the line stderr shows, without the `labs <verb>: ` prefix.
 */
export type ErrorObject = { error: { kind: 'usage' | 'infrastructure'; message: string } };
