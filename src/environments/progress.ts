// Typed progress of slow environment work, for the CLI (a line per event on a TTY) and the web
// page ("building image… creating… ready").

export type Phase = 'docker' | 'toolchain' | 'images' | 'node-image' | 'mirror' | 'creating' | 'waiting' | 'ready' | 'deleting' | 'error';

export type ProgressEvent = {
  phase: Phase;
  /** One human line: "building docker.io/library/nginx:1.24", "node labs-control-plane Ready". */
  message: string;
  /** Which cluster this is about, when it is about one. */
  cluster?: string;
  /** Milliseconds since the operation started. */
  elapsedMs: number;
};

export type ProgressListener = (event: ProgressEvent) => void;

/** A reporter that stamps elapsed time; `phase` is remembered for follow-up log lines. */
export function reporter(listener: ProgressListener | undefined, cluster?: string) {
  const started = Date.now();
  let current: Phase = 'docker';
  return {
    phase(phase: Phase, message: string) {
      current = phase;
      listener?.({ phase, message, cluster, elapsedMs: Date.now() - started });
    },
    log(message: string) {
      listener?.({ phase: current, message, cluster, elapsedMs: Date.now() - started });
    },
    get current(): Phase {
      return current;
    },
    elapsedMs: () => Date.now() - started,
  };
}

export type Reporter = ReturnType<typeof reporter>;
