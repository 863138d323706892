// What a session's shell runs in: a pty of node-pty on this machine, or an ExecPty (a shell in a
// pod, over the exec API). A session sees only the Pty below, so it never knows which. Apart from
// session.ts because the choice is the one place a session touches a process.
import { spawn } from '@lydell/node-pty';
import { ExecPty, type ExecTarget } from './exec-pty.ts';
import type { TerminalSize } from './protocol.ts';

export type ShellCommand = {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** A shell in a pod instead (the exec API, no local process); file and args then only name it. */
  exec?: ExecTarget;
};

/** What a session needs of its terminal: node-pty's IPty, or an ExecPty (a shell in a pod). */
export type Pty = {
  readonly pid: number;
  readonly process: string;
  onData(listener: (data: string | Buffer) => void): { dispose(): void };
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
  pause(): void;
  resume(): void;
};

/** Starts the command at `size`; output arrives as bytes (encoding: null), never decoded here. */
export function openPty(command: ShellCommand, size: TerminalSize): Pty {
  if (command.exec) return new ExecPty(command.exec, size.cols, size.rows);
  return spawn(command.file, command.args, {
    name: 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: command.cwd,
    env: command.env,
    encoding: null,
  });
}

/** The program a session names as its shell (the pod's command, or the local file). */
export const shellName = (command: ShellCommand): string => command.exec?.command[0] ?? command.file;
