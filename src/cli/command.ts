// Every `labs <verb>` is a small module in ./commands/<verb>.ts exporting a default Command.
// Commands parse their flags and call a library; they never talk to Kubernetes or Docker
// themselves.

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
  summary: string;
  /** Full --help text. */
  usage: string;
  /** Returns the exit code: 0 ok/passed, 1 checks failed, 2 usage or infrastructure error. */
  run: (argv: string[], io: Io) => Promise<number>;
};

export class UsageError extends Error {}
