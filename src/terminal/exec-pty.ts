// A pty-shaped handle on a shell in a pod, through the Kubernetes exec API (client-node's Exec:
// one WebSocket speaking the v5 channel protocol, TTY on, resize on its own channel). The
// terminal session drives it like node-pty's IPty, so a learner's shell on a host cluster costs
// this server one socket instead of a kubectl process per terminal.
import { PassThrough, Writable } from 'node:stream';
import { Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';

/** Where the shell runs: a container of a pod on the cluster `kubeconfig` names. */
export type ExecTarget = { kubeconfig: string; namespace: string; pod: string; container: string; command: string[] };

type Disposable = { dispose(): void };
type Socket = { close(): void; pause(): void; resume(): void; on(event: 'close', listener: () => void): void };
type SizedWritable = Writable & { columns: number; rows: number };

export class ExecPty {
  /** No local process: the shell runs in the pod. */
  readonly pid = 0;
  /** The program at the other end (the session compares it with its shell's name). */
  readonly process: string;
  private readonly stdin = new PassThrough();
  private readonly stdout: SizedWritable;
  private socket: Socket | undefined;
  private readonly dataListeners = new Set<(data: Buffer) => void>();
  private readonly exitListeners = new Set<(e: { exitCode: number; signal?: number }) => void>();
  private exited = false;
  private killed = false;

  constructor(target: ExecTarget, cols: number, rows: number) {
    this.process = target.command[0] ?? '';
    const stdout = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const l of this.dataListeners) l(chunk);
        done();
      },
    });
    // client-node sends the size (and every later 'resize') on the resize channel when stdout has columns and rows.
    this.stdout = Object.assign(stdout, { columns: cols, rows });
    const kc = new KubeConfig();
    kc.loadFromFile(target.kubeconfig);
    new Exec(kc)
      .exec(target.namespace, target.pod, target.container, target.command, this.stdout, null, this.stdin, true, (status: V1Status) => {
        const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
        this.exit(status.status === 'Success' ? 0 : Number(code ?? 1));
      })
      .then((ws) => {
        this.socket = ws as unknown as Socket;
        if (this.killed) this.socket.close();
        this.socket.on('close', () => this.exit(129, 1));
      })
      .catch((e: unknown) => {
        this.emit(Buffer.from(`\r\n[cannot reach the shell in ${target.namespace}/${target.pod}: ${(e as Error).message}]\r\n`));
        this.exit(1);
      });
  }

  onData(listener: (data: Buffer) => void): Disposable {
    this.dataListeners.add(listener);
    return { dispose: () => void this.dataListeners.delete(listener) };
  }

  onExit(listener: (e: { exitCode: number; signal?: number }) => void): Disposable {
    this.exitListeners.add(listener);
    return { dispose: () => void this.exitListeners.delete(listener) };
  }

  write(data: string | Buffer): void {
    if (!this.exited) this.stdin.write(data);
  }

  resize(cols: number, rows: number): void {
    this.stdout.columns = cols;
    this.stdout.rows = rows;
    this.stdout.emit('resize');
  }

  /** Closes the connection; the shell's tmux session in the pod lives on. */
  kill(): void {
    this.killed = true;
    this.socket?.close();
  }

  /** Flow control: stop reading the socket (TCP backpressure reaches the API server and the pod). */
  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
  }

  private emit(data: Buffer): void {
    for (const l of this.dataListeners) l(data);
  }

  private exit(exitCode: number, signal?: number): void {
    if (this.exited) return;
    this.exited = true;
    this.stdin.end();
    for (const l of this.exitListeners) l({ exitCode, signal });
  }
}
