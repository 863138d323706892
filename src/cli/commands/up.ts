// `labs up`: the platform (what `npm start` runs), for people who have `labs` on their PATH.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Command } from '../command.ts';

const usage = `Usage: labs up [options]

Serves the lessons beside a terminal on http://localhost:4321 (solo mode) and adopts or creates
your kind cluster in the background. Same as \`npm start\`; every option is passed through:

  --port <n>     port (default: $PORT or 4321)
  --host [addr]  listen beyond this machine (prints a warning: anyone who reaches it gets a shell)
  --idle <min>   end unattended shells after this many minutes (default 60)
  --no-cluster   do not adopt or create the learner cluster
  --classroom    classroom mode: cohorts, a cluster and a sandboxed shell per learner, the
                 instructor's live dashboard (needs \`labs classroom init\` first); with it
                 --warm, --max-environments, --environments, --tls-cert/--tls-key
                 (\`npm start -- --help\` explains each)
  -h, --help     show this help`;

const command: Command = {
  name: 'up',
  usage,
  run(argv) {
    const server = fileURLToPath(new URL('../../server/start.ts', import.meta.url));
    const child = spawn(process.execPath, [server, ...argv], { stdio: 'inherit' });
    // The server handles Ctrl+C itself; forwarding keeps a `kill <labs pid>` working too.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
    return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 0))));
  },
};

export default command;
