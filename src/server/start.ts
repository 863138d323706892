// `npm start`: build the lesson site if needed, then serve the platform in solo mode on
// http://localhost:4321 (PORT overrides). Listening beyond loopback needs --host (or HOST).
// `npm start -- --classroom`: classroom mode (cohorts, a sandboxed environment per learner, the
// instructor's dashboard), listening on the network.
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { endOfLifeWarnings } from '../environments/end-of-life.ts';
import { kindProvider } from '../environments/kind-provider.ts';
import { ensureSiteBuilt } from './site-build.ts';
import { startPlatform } from './platform-server.ts';
import { isLoopbackName } from './request-guard.ts';
import { bindsEveryAddress, dockerBridgeGateway, listenForSandboxes } from './sandbox-route.ts';

const HELP = `Usage: npm start [-- options]

Serves Kubernetes Labs: lessons beside a terminal on this machine (solo mode), or a class
(--classroom: every learner gets their own kind cluster and a sandboxed shell; the instructor
watches a live dashboard).

Options:
  --port <n>       port to listen on (default: $PORT or 4321; 0 picks a free one)
  --host [addr]    listen beyond this machine (default address 0.0.0.0) — anyone who can reach
                   it gets a shell as you; use only on a trusted network
  --idle <min>     end shells nobody has looked at for this many minutes (default: $LABS_IDLE_MINUTES or 60)
  --no-cluster     do not adopt or create the learner's kind cluster (default: create it in the
                   background, building the offline toolchain first when it must)
  --classroom      classroom mode (listens on 0.0.0.0 unless --host says otherwise; with one
                   address, local sandboxes still reach it on Docker's bridge); needs an
                   instructor account: \`labs classroom init\` (or LABS_CLASSROOM_ADMIN=user:password)
  --warm <n>       classroom: learner environments kept ready in advance (default: from free memory)
  --max-environments <n>
                   classroom: at most this many learner environments on this machine (default:
                   what fits in its memory and CPU); the next learner is told the machine is full
  --reclaim <min>  classroom, local: reclaim a learner's environment nobody used for this many
                   minutes (default: $LABS_RECLAIM_MINUTES or 120); their home is kept, and a new
                   environment comes when their page opens again
  --freeze <min>   classroom, local: freeze (pause, memory kept, no CPU) a learner's environment
                   with no activity and no page of theirs open for this many minutes (default:
                   $LABS_FREEZE_MINUTES or 5; 0 never); their next sign thaws it in about a second
  --environments <local|kubernetes|none>
                   classroom: a kind cluster and a sandbox per learner on this machine (local,
                   the default), each learner's cluster and shell as pods on a host Kubernetes
                   cluster (kubernetes, with --host-kubeconfig), or none (the dashboard and
                   joining only: no clusters, no terminals)
  --host-kubeconfig <file>
                   classroom, kubernetes: the host cluster's kubeconfig (a cluster dedicated to
                   training: learner clusters are privileged pods). Also LABS_HOST_SERVER_ADDRESS
                   (this server as the host's pods reach it), LABS_HOST_MIRROR_ADDRESS (the
                   registry mirror as they reach it) and LABS_HOST_GIT_ADDRESS (the in-class git
                   server as they reach it, for lessons 6–7)
  --tls-cert <pem> --tls-key <pem>
                   serve HTTPS (cookies are then Secure)
  --help           show this help

Environment: PORT, HOST, LABS_IDLE_MINUTES, LABS_RECLAIM_MINUTES, LABS_NO_CLUSTER=1 (same as --no-cluster), LABS_CLUSTER (cluster name), LABS_ALLOWED_HOSTS (comma-separated extra Host names, e.g. a DNS name pointing here),
LABS_TERMINAL_CWD (shell working directory), LABS_CLASSROOM_POOL (the Docker pool of learner environments; default an id kept in the data folder).`;

function fail(message: string): never {
  console.error(`labs: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        idle: { type: 'string' },
        'no-cluster': { type: 'boolean' },
        classroom: { type: 'boolean' },
        warm: { type: 'string' },
        'max-environments': { type: 'string' },
        reclaim: { type: 'string' },
        freeze: { type: 'string' },
        environments: { type: 'string' },
        'host-kubeconfig': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
      // `--host` alone means "all interfaces".
      args: process.argv.slice(2).flatMap((arg, i, all) => (arg === '--host' && (all[i + 1] === undefined || all[i + 1]!.startsWith('--')) ? ['--host', '0.0.0.0'] : [arg])),
    });
  } catch (error) {
    fail(`${(error as Error).message} (see --help)`);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? 4321);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`port must be 0-65535, got ${JSON.stringify(values.port ?? process.env.PORT)}`);
  const classroom = values.classroom ?? false;
  const host = values.host ?? process.env.HOST ?? (classroom ? '0.0.0.0' : '127.0.0.1');
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('--tls-cert and --tls-key go together');
  const tls = values['tls-cert'] && values['tls-key'] ? { cert: values['tls-cert'], key: values['tls-key'] } : undefined;
  const warm = values.warm === undefined ? undefined : Number(values.warm);
  if (warm !== undefined && !(Number.isInteger(warm) && warm >= 0)) fail(`--warm must be a whole number, got ${JSON.stringify(values.warm)}`);
  const maxEnvironments = values['max-environments'] === undefined ? undefined : Number(values['max-environments']);
  if (maxEnvironments !== undefined && !(Number.isInteger(maxEnvironments) && maxEnvironments >= 1)) fail(`--max-environments must be a whole number of at least 1, got ${JSON.stringify(values['max-environments'])}`);
  const reclaimMinutes = Number(values.reclaim ?? process.env.LABS_RECLAIM_MINUTES ?? 120);
  if (!(reclaimMinutes > 0)) fail(`--reclaim minutes must be a positive number, got ${JSON.stringify(values.reclaim ?? process.env.LABS_RECLAIM_MINUTES)}`);
  const freezeMinutes = Number(values.freeze ?? process.env.LABS_FREEZE_MINUTES ?? 5);
  if (!(freezeMinutes >= 0)) fail(`--freeze minutes must be a number, 0 or more, got ${JSON.stringify(values.freeze ?? process.env.LABS_FREEZE_MINUTES)}`);
  const idleMinutes = Number(values.idle ?? process.env.LABS_IDLE_MINUTES ?? 60);
  if (!(idleMinutes > 0)) fail(`idle minutes must be a positive number, got ${JSON.stringify(values.idle ?? process.env.LABS_IDLE_MINUTES)}`);

  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const distDir = join(root, 'dist');
  const interactive = process.stderr.isTTY;
  try {
    await ensureSiteBuilt({ root, distDir }, (line, done) => {
      if (interactive) process.stderr.write(`\r\x1b[2K${line}${done ? '\n' : ''}`);
      else if (done || !/\d+ s$/.test(line)) console.error(line);
    });
  } catch (error) {
    if (interactive) process.stderr.write('\n');
    fail((error as Error).message);
  }

  if (!classroom && !isLoopbackName(host)) {
    console.warn(`WARNING: listening on ${host}: anyone who can reach this address gets a shell as ${process.env.USER ?? 'you'} on this machine.`);
  }
  const kind = values.environments ?? 'local';
  if (kind !== 'local' && kind !== 'kubernetes' && kind !== 'none') fail(`--environments must be local, kubernetes or none, got ${JSON.stringify(kind)}`);
  const hostKubeconfig = values['host-kubeconfig'];
  if ((kind === 'kubernetes') !== Boolean(hostKubeconfig)) fail('--environments kubernetes and --host-kubeconfig <file> go together');
  if (hostKubeconfig && !existsSync(hostKubeconfig)) fail(`--host-kubeconfig: no file ${hostKubeconfig}`);
  // Sandboxes are told the port the server really listens on (--port 0 picks one when it listens).
  let listened: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => (listened = resolve));
  const classroomOptions = classroom ? await prepareClassroom(port, listening, { warm, maxEnvironments, idleMs: reclaimMinutes * 60_000, freezeMs: freezeMinutes * 60_000 }, Boolean(tls), kind, hostKubeconfig) : undefined;
  const withCluster = !values['no-cluster'] && process.env.LABS_NO_CLUSTER !== '1';
  let platform;
  try {
    platform = await startPlatform({
      distDir,
      host,
      port,
      idleTimeoutMs: idleMinutes * 60_000,
      shellCwd: process.env.LABS_TERMINAL_CWD,
      clusterExpected: withCluster && !classroom,
      extraHosts: allowedHostNames(host, classroom),
      classroom: classroomOptions,
      tls,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`port ${port} is already in use (set PORT or --port)`);
    fail(`could not start the server: ${(error as Error).message}`);
  }
  const listeningPort = Number(new URL(platform.url).port || (tls ? 443 : 80));
  listened(listeningPort);
  // Local sandboxes reach the server through Docker's bridge, whatever --host says.
  const sandboxRoute = classroom && kind === 'local' && !bindsEveryAddress(host) ? await openSandboxRoute(platform.server, host, listeningPort) : undefined;
  if (classroom) {
    console.log(`Kubernetes Labs (classroom) is running at ${platform.url}  (Ctrl+C to stop)`);
    console.log(`  instructors: ${platform.url}classroom/    learners: ${platform.joinAddress ?? `none: this server listens on ${host} only (--host <this machine's address on the class network>)`}`);
    if (sandboxRoute) console.log(`  sandboxes: ${sandboxRoute.address}:${listeningPort} (Docker's bridge; containers of this machine only)`);
  } else {
    console.log(`Kubernetes Labs is running at ${platform.url}  (solo mode${isLoopbackName(host) ? ', this machine only' : ''}; Ctrl+C to stop)`);
  }
  for (const line of endOfLifeWarnings()) console.log(`warning: ${line}`);

  if (withCluster && !classroom) void ensureLearnerCluster();

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    sandboxRoute?.listener.close();
    void platform.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * The server bound one address (not 0.0.0.0): it also listens where sandboxes reach it, the
 * gateway of Docker's bridge, or refuses to start with why (a class whose `labs verify` cannot
 * connect is worse than no class).
 */
async function openSandboxRoute(server: import('node:http').Server, host: string, port: number) {
  const refuse = (why: string) => fail(`--host ${host}: learners' sandboxes reach this server through Docker's bridge, and ${why}; start without --host (all addresses) or with --host 0.0.0.0`);
  const address = await dockerBridgeGateway().catch((error: Error) => refuse(error.message));
  if (address === host) return undefined;
  const listener = await listenForSandboxes(server, address, port).catch((error: Error) => refuse(`listening on ${address}:${port} failed (${error.message})`));
  return { address, listener };
}

/** The name learners' sandboxes reach this server by (their /etc/hosts), and how long their `labs` token lasts. */
const SANDBOX_SERVER_NAME = 'labs-server';
const SANDBOX_SESSION_HOURS = 24 * 7;

/**
 * Host names (besides loopback literals, and IP literals when listening wider) the server
 * answers to: LABS_ALLOWED_HOSTS, the --host name itself, and when listening wider this
 * machine's own name. Any other name is refused even if it resolves here (DNS rebinding).
 */
function allowedHostNames(listenHost: string, classroom: boolean): string[] {
  const names = (process.env.LABS_ALLOWED_HOSTS ?? '').split(',');
  if (classroom) names.push(SANDBOX_SERVER_NAME);
  if (!isIP(listenHost)) names.push(listenHost);
  if (!isLoopbackName(listenHost)) names.push(hostname(), `${hostname()}.local`);
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter(Boolean))];
}

/**
 * Classroom mode needs an instructor (LABS_CLASSROOM_ADMIN=user:password creates one, for
 * scripts and tests) and this machine's learner environments (adopting the ones a previous run
 * left). Learners' sandboxes reach this server as labs-server:<port>.
 */
async function prepareClassroom(port: number, listening: Promise<number>, sizes: { warm?: number; maxEnvironments?: number; idleMs?: number; freezeMs?: number }, secure: boolean, kind: 'local' | 'kubernetes' | 'none', hostKubeconfig?: string) {
  const { openDatabase } = await import('../store/database.ts');
  const { Accounts } = await import('../classroom/accounts.ts');
  const { dataDir } = await import('../base/paths.ts');
  // Open for the server's life: it mints the bearer token each learner's sandbox `labs` uses.
  const db = openDatabase(join(dataDir(), 'progress.sqlite'));
  const accounts = new Accounts(db);
  const admin = process.env.LABS_CLASSROOM_ADMIN;
  if (admin && !accounts.hasInstructor()) {
    const cut = admin.indexOf(':');
    if (cut <= 0) fail('LABS_CLASSROOM_ADMIN must be user:password');
    await accounts.createInstructor(admin.slice(0, cut), admin.slice(cut + 1)).catch((error: Error) => fail(`LABS_CLASSROOM_ADMIN: ${error.message}`));
  }
  if (!accounts.hasInstructor()) fail('classroom mode needs an instructor account: run `labs classroom init` first');
  // A session of the learner's own, as long as a class can run: `labs verify` grades as them.
  const credential = (learner: string) => {
    const id = /^learner:(\d{1,9})$/.exec(learner)?.[1];
    return id ? accounts.startSession('learner', Number(id), SANDBOX_SESSION_HOURS).token : undefined;
  };
  // Loaded only in classroom mode; the provider is the library's pick from these options.
  const { openLearnerEnvironments } = await import('../environments/classroom/index.ts');
  const environments = await openLearnerEnvironments({
    provider: kind,
    ...sizes,
    server: { url: (at: number) => `http${secure ? 's' : ''}://${SANDBOX_SERVER_NAME}:${at}`, port, listening },
    credential,
    starterFiles: labStarterFiles,
    host: hostKubeconfig ? {
      kubeconfig: hostKubeconfig,
      serverAddress: process.env.LABS_HOST_SERVER_ADDRESS,
      mirrorAddress: process.env.LABS_HOST_MIRROR_ADDRESS,
      gitServer: process.env.LABS_HOST_GIT_ADDRESS ? { address: process.env.LABS_HOST_GIT_ADDRESS, port: (await import('../gitserver/service.ts')).defaultGitPort() } : undefined,
    } : undefined,
    log: (line: string) => console.log(`environments: ${line}`),
  });
  return { environments, secure };
}

/** Every lab's starter files as a learner's home has them: labs/<lab id>/<file>. */
async function labStarterFiles(): Promise<Record<string, string>> {
  const { createGraderAdapter } = await import('./adapters/grader.ts');
  const grader = createGraderAdapter();
  const files: Record<string, string> = {};
  for (const lab of await grader.labs()) {
    for (const file of lab.files) files[`labs/${lab.id}/${file}`] = (await grader.file!(lab.number, file)) ?? '';
  }
  return files;
}

/** Solo mode: adopt the learner's cluster or create it; the page shows the same progress. */
async function ensureLearnerCluster(): Promise<void> {
  try {
    const { name, created } = await kindProvider.ensure({ onProgress: (event) => console.log(`cluster: ${event.message}`) });
    if (!created) console.log(`cluster: using the existing cluster "${name}"`);
  } catch (error) {
    console.error(`cluster: ${(error as Error).message.split('\n')[0]} (the lessons still work; \`labs cluster create\` retries)`);
  }
}

await main();
