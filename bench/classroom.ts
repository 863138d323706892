// A class on this machine, end to end (issue #12, "Benchmarks"): the real server in classroom mode
// with local learner environments (a kind cluster + a sandbox per learner), driven over HTTP and
// the terminal WebSocket only, as browsers would. Prints figures and their ratio to the goals
// (no assertions), each with the load average at that moment:
//   - join → shell prompt on a ready cluster: from the warm pool (p50/p95, goal ≤ 2 s), and one
//     cold join (no warm environment left: it waits for a cluster being made);
//   - environments held, memory (goal ≤ 700 MB) and idle CPU per environment (docker stats on the
//     node container + sandbox), and how many fit here by the server's own rule;
//   - N learners solving labs 1, 4 and 5 at once by typing into their terminals: dashboard update
//     latency (the moment the cluster state makes the lab pass, stamped in the learner's shell
//     with $EPOCHREALTIME → the SSE event whose grid shows it; goal ≤ 2 s), `labs verify` → the
//     grid, server CPU seconds and RSS (/proc/<pid>), terminal echo p50/p95 under that load.
// Everything of its pool (bench-<random>) is removed at the end, also on Ctrl+C.
// Usage: node bench/classroom.ts   (LABS_BENCH_LEARNERS: learners, default 4 — what 2 cores hold by the server's own rule; LABS_VERBOSE=1: server log)
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { containerCpu, containerMemoryMiB, findPool, sandboxName } from '../src/environments/classroom/docker-objects.ts';
import { DEFAULT_CPU_SHARE, availableMemoryMiB, environmentsThatFit } from '../src/environments/classroom/capacity.ts';
import { LocalLearnerEnvironments } from '../src/environments/classroom/local.ts';
import { PROTOCOL_VERSION, CloseCode, decodeOutput, decodeServerControl, encodeControl, encodeInput, shouldAcknowledge } from '../src/terminal/protocol.ts';
import { startServer, type RunningServer } from '../tests/browser/harness.ts';
import { fixLab1 } from '../tests/course/answers.ts';

const exec = promisify(execFile);
const LEARNERS = Math.max(1, Number(process.env.LABS_BENCH_LEARNERS ?? 4));
const POOL = `bench-${randomBytes(3).toString('hex')}`;
const ADMIN = { username: 'bench', password: 'bench-classroom-password' };
const goals = { joinMs: 2000, memoryMB: 700, dashboardMs: 2000 };
/** The server's continuous grading interval (src/classroom/grading.ts; start.ts has no option for it). */
const GRADE_EVERY_S = 15;
const MINUTE = 60_000;

// --- printing ---

const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
const line = (label: string, value: string, note = '') => console.log(`${label.padEnd(50)} ${value.padStart(12)}  ${note}${note ? '; ' : ''}${load()}`);
const ratio = (value: number, goal: number) => `${(value / goal).toFixed(2)}× goal`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const verbose = process.env.LABS_VERBOSE === '1';
const note = (text: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`);

// --- HTTP as a browser of this origin: cookies, Origin, the session's CSRF token ---

class Browser {
  private readonly cookies = new Map<string, string>();
  csrf = '';
  private readonly server: RunningServer;
  constructor(server: RunningServer) {
    this.server = server;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Origin: this.server.origin, Cookie: this.cookieHeader, ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}), ...extra };
  }

  async json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(new URL(path, this.server.url), {
      method,
      headers: this.headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const cut = pair!.indexOf('=');
      if (cut > 0) this.cookies.set(pair!.slice(0, cut).trim(), pair!.slice(cut + 1).trim());
    }
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { text };
    }
    if (typeof parsed.csrf === 'string') this.csrf = parsed.csrf;
    return { status: res.status, body: parsed };
  }

  async ok(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const r = await this.json(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Server-Sent Events: calls `onEvent` with each event and its arrival time (Date.now()). */
  async events(path: string, onEvent: (type: string, data: Record<string, unknown>, at: number) => void): Promise<AbortController> {
    const abort = new AbortController();
    const res = await fetch(new URL(path, this.server.url), { headers: this.headers({ Accept: 'text/event-stream' }), signal: abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`GET ${path}: ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          const at = Date.now();
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const type = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (type && data) onEvent(type, JSON.parse(data) as Record<string, unknown>, at);
          }
        }
      } catch {
        // aborted at the end
      }
    })();
    return abort;
  }
}

// --- the terminal WebSocket, as the page's client speaks it ---

const ANSI = /\x1b\[[0-9;?>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78DEHMc]|\r/g;

class Terminal {
  /** Output with escape sequences removed. */
  text = '';
  private end = 0;
  private acked = 0;
  private turn: NodeJS.Immediate | undefined;
  private listeners = new Set<(chunk: string) => void>();
  closed?: { code: number; reason: string };

  readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const buffer = data as Buffer;
      if (!isBinary) {
        const control = decodeServerControl(buffer.toString('utf8'));
        if (control.ok && control.value.t === 'ready') this.acked = this.end = control.value.seq;
        return;
      }
      const frame = decodeOutput(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
      if (!frame.ok) return;
      this.end = frame.value.seq + frame.value.bytes.length;
      const chunk = Buffer.from(frame.value.bytes).toString('utf8');
      this.text = (this.text + chunk.replace(ANSI, '')).slice(-200_000);
      for (const l of [...this.listeners]) l(chunk);
      this.ack(true);
      this.turn ??= setImmediate(() => {
        this.turn = undefined;
        this.ack(false);
      });
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    ws.on('error', () => {});
  }

  private ack(stillRendering: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN || !shouldAcknowledge(this.end - this.acked, stillRendering)) return;
    this.acked = this.end;
    this.ws.send(encodeControl({ t: 'ack', seq: this.acked }));
  }

  /** Opens the learner's terminal; while their environment is not ready (4425) tries again every `retryMs`. */
  static async open(server: RunningServer, browser: Browser, deadline: number, retryMs = 250): Promise<Terminal> {
    const url = new URL('/ws/terminal', server.url);
    url.protocol = 'ws:';
    for (;;) {
      const ws = new WebSocket(url, { headers: { Origin: server.origin, Cookie: browser.cookieHeader }, perMessageDeflate: false });
      const term = new Terminal(ws);
      const opened = await new Promise<string | undefined>((resolve) => {
        ws.once('open', () => resolve(undefined));
        ws.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
        ws.once('error', (e) => resolve(e.message));
      });
      if (opened) throw new Error(`terminal: ${opened}`);
      ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, cols: 200, rows: 50 }));
      // Ready, or closed with "not ready yet".
      while (!term.closed && term.end === 0 && !term.text) await sleep(10);
      if (!term.closed) return term;
      if (term.closed.code !== CloseCode.notReady) throw new Error(`terminal closed: ${term.closed.code} ${term.closed.reason}`);
      if (Date.now() > deadline) throw new Error('terminal: environment still not ready at the deadline');
      // An environment that failed stays failed until the instructor recreates it: say why.
      const environment = (await browser.json('GET', '/api/classroom/me')).body.environment as { state?: string; message?: string } | undefined;
      if (environment?.state === 'error') throw new Error(`the learner's environment failed: ${environment.message}`);
      await sleep(retryMs);
    }
  }

  type(text: string): void {
    this.ws.send(encodeInput(Buffer.from(text)));
  }

  /** Resolves when the (escape-free) output from `from` on matches. */
  async waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text.slice(from));
      if (m) return m;
      if (this.closed) throw new Error(`terminal closed (${this.closed.code} ${this.closed.reason}) waiting for ${pattern}`);
      if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}; it shows: ${JSON.stringify(this.text.slice(-400))}`);
      await sleep(20);
    }
  }

  /** Milliseconds from sending `key` to the next output chunk (its echo). */
  echo(key: string, timeoutMs = 30_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      const timer = setTimeout(() => (this.listeners.delete(listener), reject(new Error('no echo within 30 s'))), timeoutMs);
      const listener = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(performance.now() - start);
      };
      this.listeners.add(listener);
      this.type(key);
    });
  }

  /** Waits until no output arrived for `ms`. */
  async quiet(ms: number): Promise<void> {
    let last = performance.now();
    const listener = () => (last = performance.now());
    this.listeners.add(listener);
    while (performance.now() - last < ms) await sleep(10);
    this.listeners.delete(listener);
  }

  close(): void {
    this.ws.close();
  }
}

const PROMPT = /\$\s*$/; // a redrawn tmux screen (attaching to a running shell) ends in blank lines

/** Types keys at an idle prompt (each erased again) and returns the echo times. */
async function typeKeys(term: Terminal, keys: number, into: number[], until?: () => boolean): Promise<void> {
  for (let i = 0; i < keys && !(until?.() ?? false); i++) {
    await term.quiet(30);
    into.push(await term.echo('x'));
    await term.quiet(30);
    into.push(await term.echo('\x7f'));
    await sleep(50 + Math.random() * 100);
  }
}

// --- what a learner types: labs 1, 4 and 5, each stamping the moment it is done ---

const stamp = (name: string) => `echo "@@T ${name} $EPOCHREALTIME"`;

const solution = [
  // Lab 1: the probe from the lesson, appended to the starter file, as the cluster test does.
  ...fixLab1(8080, stamp('lab1-applied')),
  // Lab 4: the kustomization from the reference solution.
  'cd ~/labs/04-kustomize-fields',
  "cat > kustomization.yaml <<'EOF'",
  'namespace: test',
  'namePrefix: lab-',
  'nameSuffix: -v1',
  'labels:',
  '  - pairs:',
  '      env: test',
  '    includeSelectors: true',
  'images:',
  '  - name: nginx',
  '    newTag: "1.23.1"',
  'resources:',
  '  - pod-1.yaml',
  '  - service.yaml',
  'EOF',
  `kubectl create namespace test; kubectl apply -k . && ${stamp('lab4-applied')}`,
  // Lab 5: two overlays on the base.
  'cd ~/labs/05-kustomize-overlays',
  "printf 'resources:\\n- ../../base\\nnamePrefix: dev-\\n' > overlays/dev/kustomization.yaml",
  "printf 'resources:\\n- ../../base\\nnamePrefix: prd-\\n' > overlays/prd/kustomization.yaml",
  `kubectl create namespace overlays; kubectl apply -k overlays/dev && kubectl apply -k overlays/prd && ${stamp('lab5-applied')}`,
  // The moments each lab's last task can pass: watched at once, each stamped when it happens.
  'cd ~',
  `( kubectl -n test wait --for=condition=Ready pod/lab-nginx-1-v1 --timeout=600s >/dev/null && ${stamp('lab4-passes')} ) & ` +
    `( kubectl -n overlays wait --for=jsonpath='{.status.phase}'=Running pod/dev-myapp-pod pod/prd-myapp-pod --timeout=600s >/dev/null && ${stamp('lab5-passes')} ) & ` +
    `( kubectl -n liveness wait --for=jsonpath='{.status.containerStatuses[0].restartCount}'=1 pod/liveness-http --timeout=600s >/dev/null && ${stamp('lab1-passes')} ) & wait; ${stamp('solved')}`,
];

/** Which grid change shows each stamp: lab 1's first task (tasks ≥ 1), or the whole lab passed. */
const shownBy: Record<string, { lab: number; when: (cell: Cell) => boolean }> = {
  'lab1-applied': { lab: 1, when: (c) => c.tasksPassed >= 1 },
  'lab1-passes': { lab: 1, when: (c) => c.passed },
  'lab4-passes': { lab: 4, when: (c) => c.passed },
  'lab5-passes': { lab: 5, when: (c) => c.passed },
};

type Cell = { lab: number; passed: boolean; tasksPassed: number; tasksTotal: number; attempts: number };
type Row = { learner: { id: number; displayName: string }; cells: Cell[] };

// --- the server process and the pool's containers ---

const TICKS = 100; // USER_HZ
/** utime+stime (s) and parent pid of a process, from /proc/<pid>/stat. */
function stat(pid: number): { cpuSeconds: number; ppid: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS, ppid: Number(fields[1]) };
}

/** The server process, and its live children (the `docker exec` behind each terminal). */
function processFigures(pid: number): { cpuSeconds: number; rssMiB: number; children: Map<number, number> } {
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const children = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const s = stat(Number(entry));
      if (s.ppid === pid) children.set(Number(entry), s.cpuSeconds);
    } catch {
      // gone meanwhile
    }
  }
  return { cpuSeconds: stat(pid).cpuSeconds, rssMiB: rss ? Number(rss[1]) / 1024 : NaN, children };
}

async function environmentFigures(envs: string[], cpuSamples: number): Promise<{ env: string; mib: number; node: number; sandbox: number; cpu: number }[]> {
  const names = envs.flatMap((e) => [`${e}-control-plane`, sandboxName(e)]);
  const mem = await containerMemoryMiB(names);
  const cpu: Record<string, number> = {};
  for (let i = 0; i < cpuSamples; i++) for (const [k, v] of Object.entries(await containerCpu(names))) cpu[k] = (cpu[k] ?? 0) + v / cpuSamples;
  return envs.map((e) => {
    const node = mem[`${e}-control-plane`] ?? NaN;
    const sandbox = mem[sandboxName(e)] ?? NaN;
    return { env: e, node, sandbox, mib: node + sandbox, cpu: (cpu[`${e}-control-plane`] ?? 0) + (cpu[sandboxName(e)] ?? 0) };
  });
}

// --- the class ---

type Learner = { name: string; browser: Browser; id?: number; env?: string; term?: Terminal; joinMs?: number; stamps: Map<string, number> };

let server: RunningServer | undefined;
let cleaning: Promise<void> | undefined;

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await server?.stop().catch(() => {});
    note(`removing pool ${POOL}`);
    const environments = await LocalLearnerEnvironments.open({ pool: POOL, warm: 0, idleMs: 0, freezeMs: 0 });
    for (const a of (await findPool(POOL)).assignments) await environments.release(a.learner).catch((e: unknown) => note(`release ${a.learner}: ${(e as Error).message}`));
    await environments.close({ removeWarm: true });
    const left = await findPool(POOL);
    const count = left.networks.length + left.sandboxes.length + left.homes.length + left.assignments.length;
    const clusters = (await exec('kind', ['get', 'clusters']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter((c) => c.startsWith(`${POOL}-`) || c.includes(POOL));
    console.log(`\ncleanup: pool ${POOL}: ${count === 0 ? 'nothing left' : `LEFT ${JSON.stringify(left)}`}${clusters.length ? `; kind clusters left: ${clusters.join(', ')}` : ''}`);
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    note(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const warm = LEARNERS;
  const max = LEARNERS + 1;
  console.log(`Classroom bench: ${LEARNERS} learners (+1 cold join), warm pool ${warm}, at most ${max} environments, pool ${POOL}`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${Math.round(availableMemoryMiB())} MiB available; ${load()}`);
  console.log(`goals: join → prompt ≤ ${goals.joinMs / 1000} s, ≤ ${goals.memoryMB} MB per environment, dashboard ≤ ${goals.dashboardMs / 1000} s; the server grades on pod events (300 ms settle), 1/5/15 s after an Enter, and every ${GRADE_EVERY_S} s\n`);

  const bridge = (await exec('docker', ['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}'])).stdout.trim();
  let started = Date.now();
  server = await startServer(
    { LABS_CLASSROOM_ADMIN: `${ADMIN.username}:${ADMIN.password}`, LABS_CLASSROOM_POOL: POOL },
    undefined,
    ['--classroom', '--environments', 'local', '--warm', String(warm), '--max-environments', String(max), '--host', bridge],
  );
  const srv = server;
  const pid = srv.process.pid!;
  if (verbose) srv.process.stdout!.on('data', (c: Buffer) => process.stderr.write(c));
  line('server start (classroom, local environments)', seconds(Date.now() - started), `pid ${pid} at ${srv.url}`);

  // Instructor: sign in, a cohort with labs 1–5, the dashboard's live feed.
  const teacher = new Browser(srv);
  await teacher.ok('POST', '/api/classroom/login', ADMIN);
  const cohort = await teacher.ok('POST', '/api/classroom/cohorts', { name: 'Bench class', labs: [1, 2, 3, 4, 5], capacity: max + 1 });
  const cohortId = Number(cohort.id);
  let grid: Row[] = [];
  const shown: Array<{ at: number; rows: Row[] }> = [];
  const feed = await teacher.events(`/api/classroom/cohorts/${cohortId}/events`, (type, data, at) => {
    if (type !== 'snapshot') return;
    grid = data.grid as Row[];
    shown.push({ at, rows: grid });
  });

  // The warm pool, as the server logs it ("<env> ready in N s (warm pool)").
  started = Date.now();
  const warmDeadline = Date.now() + Math.max(30, 10 * warm) * MINUTE;
  for (;;) {
    const ready = srv.output().match(/ready in \d+ s \(warm pool\)/g)?.length ?? 0;
    if (ready >= warm) break;
    if (srv.process.exitCode !== null) throw new Error(`server exited:\n${srv.output().slice(-2000)}`);
    if (Date.now() > warmDeadline) throw new Error(`warm pool: ${ready} of ${warm} ready after ${Math.round((Date.now() - started) / 1000)} s`);
    await sleep(1000);
  }
  const creates = [...srv.output().matchAll(/ready in (\d+) s \(warm pool\)/g)].map((m) => Number(m[1]));
  line(`warm pool of ${warm} ready (prepare + one cluster at a time)`, `${((Date.now() - started) / 1000).toFixed(0)} s`, `each cluster+sandbox: ${creates.join(', ')} s`);
  await sleep(5000);

  // Learners join one after another; each opens its terminal and waits for the prompt.
  const learners: Learner[] = Array.from({ length: LEARNERS + 1 }, (_, i) => ({ name: i < LEARNERS ? `Learner ${i + 1}` : 'Cold learner', browser: new Browser(srv), stamps: new Map() }));
  const joinOne = async (learner: Learner) => {
    const t0 = performance.now();
    await learner.browser.ok('POST', '/api/classroom/join', { code: cohort.joinCode, name: learner.name });
    learner.term = await Terminal.open(srv, learner.browser, Date.now() + 20 * MINUTE);
    await learner.term.waitFor(PROMPT, 5 * MINUTE);
    learner.joinMs = performance.now() - t0;
  };
  for (const learner of learners.slice(0, LEARNERS)) await joinOne(learner);
  const warmJoins = learners.slice(0, LEARNERS).map((l) => l.joinMs!);
  line('join → prompt, warm pool, p50', seconds(percentile(warmJoins, 50)), `n=${warmJoins.length}: ${warmJoins.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
  line('join → prompt, warm pool, p95', seconds(percentile(warmJoins, 95)), `${ratio(percentile(warmJoins, 95), goals.joinMs)} (${goals.joinMs / 1000} s)`);
  // The pool started refilling at the last hand-out: the cold learner takes that cluster while it is being made.
  const cold = learners[LEARNERS]!;
  const coldError = await joinOne(cold).then(() => undefined, (e: unknown) => (e as Error).message);
  if (coldError) line('join → prompt, cold (no warm environment left)', 'failed', coldError.slice(0, 300));
  else line('join → prompt, cold (no warm environment left)', seconds(cold.joinMs!), `${ratio(cold.joinMs!, goals.joinMs)}; its cluster began with the pool's refill at the previous hand-out`);

  // Who is who: learner ids from the dashboard, environments from the pool's Docker labels.
  const me = await teacher.ok('GET', `/api/classroom/cohorts/${cohortId}`);
  const ids = new Map((me.learners as { id: number; displayName: string }[]).map((l) => [l.displayName, l.id]));
  const pool = await findPool(POOL);
  for (const l of learners) {
    l.id = ids.get(l.name);
    l.env = pool.assignments.find((a) => a.learner === `learner:${l.id}`)?.env;
  }
  const envs = learners.map((l) => l.env).filter((e): e is string => Boolean(e));
  line('environments held at once (cluster + sandbox)', `${pool.sandboxes.length}`, `${envs.length} assigned, ${pool.networks.length} networks`);

  // Idle environments: memory and CPU per learner (node container + sandbox), settled for a minute as bench/classroom-environments.ts does.
  await sleep(60_000);
  const idle = await environmentFigures(envs, 3);
  const idleMiB = idle.map((f) => f.mib);
  const meanMiB = idleMiB.reduce((a, b) => a + b, 0) / idleMiB.length;
  const maxMiB = Math.max(...idleMiB);
  const idleCpu = idle.reduce((a, f) => a + f.cpu, 0) / idle.length;
  line('memory per environment, idle, mean', `${meanMiB.toFixed(0)} MiB`, `${(meanMiB * 1.048576).toFixed(0)} MB, ${ratio(meanMiB * 1.048576, goals.memoryMB)}; node ${(idle.reduce((a, f) => a + f.node, 0) / idle.length).toFixed(0)} + sandbox ${(idle.reduce((a, f) => a + f.sandbox, 0) / idle.length).toFixed(1)} MiB`);
  line('memory per environment, idle, max', `${maxMiB.toFixed(0)} MiB`, `${(maxMiB * 1.048576).toFixed(0)} MB, ${ratio(maxMiB * 1.048576, goals.memoryMB)}`);
  line('CPU per idle environment, mean', `${(idleCpu * 100).toFixed(0)} %`, 'of one core (docker stats, 3 samples)');
  const fit = environmentsThatFit({
    availableMiB: Math.round(availableMemoryMiB()), reserveMiB: 2048, environmentMiB: Math.ceil(maxMiB), creating: 0, total: envs.length,
    cores: cpus().length, environmentCpu: Math.max(0.01, idleCpu), cpuShare: DEFAULT_CPU_SHARE,
  });
  const byMemory = Math.floor((availableMemoryMiB() - 2048) / maxMiB);
  const byCpu = Math.floor((cpus().length * DEFAULT_CPU_SHARE) / Math.max(0.01, idleCpu));
  line('more environments that fit now (server rule)', `${fit.fit}`, `limited by ${fit.limit}: memory alone ${byMemory} more (${Math.round(availableMemoryMiB())} MiB available − 2048 reserve) / ${Math.ceil(maxMiB)} MiB; CPU alone ${byCpu} in all (${cpus().length} cores × ${DEFAULT_CPU_SHARE} / ${(idleCpu * 100).toFixed(0)} %)`);

  // Echo at an idle class, one learner typing: the baseline.
  const baseline: number[] = [];
  await typeKeys(learners[0]!.term!, 20, baseline);
  line('terminal echo, idle class, p50', `${percentile(baseline, 50).toFixed(1)} ms`, `n=${baseline.length}, one learner typing`);
  line('terminal echo, idle class, p95', `${percentile(baseline, 95).toFixed(1)} ms`);

  // Everyone solves labs 1, 4 and 5 at once by typing into their terminal; then types at the prompt until the grid shows everything.
  const solvers = learners.slice(0, LEARNERS);
  const before = processFigures(pid);
  let rssPeak = before.rssMiB;
  const sampler = setInterval(() => {
    try {
      rssPeak = Math.max(rssPeak, processFigures(pid).rssMiB);
    } catch {
      // the server is gone
    }
  }, 1000);
  const solveStart = Date.now();
  const underLoad: number[] = [];
  const expected = solvers.length * Object.keys(shownBy).length;
  const latencies = (): Array<{ name: string; ms: number }> => {
    const out: Array<{ name: string; ms: number }> = [];
    for (const l of solvers) {
      for (const [name, { lab, when }] of Object.entries(shownBy)) {
        const at = l.stamps.get(name);
        if (at === undefined) continue;
        // The first snapshot after the learner's stamp that shows it (a snapshot just before the stamp can too, when the grader saw it first).
        const hit = shown.find((s) => {
          const cell = s.rows.find((r) => r.learner.id === l.id)?.cells.find((c) => c.lab === lab);
          return cell !== undefined && when(cell);
        });
        if (hit) out.push({ name, ms: hit.at - at });
      }
    }
    return out;
  };
  await Promise.all(solvers.map(async (l) => {
    const term = l.term!;
    const from = term.text.length;
    for (const text of solution) {
      term.type(`${text}\r`);
      await sleep(30);
    }
    // Collect the stamps as they appear.
    const seen = new Set<string>();
    const deadline = Date.now() + 15 * MINUTE;
    while (!seen.has('solved') && Date.now() < deadline) {
      for (const m of term.text.slice(from).matchAll(/@@T (\S+) (\d+)[.,](\d+)/g)) {
        if (seen.has(m[1]!)) continue;
        seen.add(m[1]!);
        l.stamps.set(m[1]!, Number(m[2]) * 1000 + Number(m[3]!.padEnd(6, '0')) / 1000);
      }
      await sleep(100);
    }
    await term.waitFor(PROMPT, MINUTE, term.text.length - 200).catch(() => {});
    // The grid catches up; meanwhile this learner types at the prompt (the others still solve).
    await typeKeys(term, 10_000, underLoad, () => latencies().length >= expected || Date.now() - solveStart > 20 * MINUTE);
  }));
  const solved = latencies();
  const after = processFigures(pid);
  const wall = (Date.now() - solveStart) / 1000;
  line(`${solvers.length} learners solving labs 1, 4, 5 (wall)`, `${wall.toFixed(0)} s`, `${solved.length} of ${expected} grid changes seen`);
  if (solved.length > 0) {
    const ms = solved.map((s) => s.ms);
    line('dashboard: state passes → SSE grid, p50', seconds(percentile(ms, 50)), `n=${ms.length}`);
    line('dashboard: state passes → SSE grid, p95', seconds(percentile(ms, 95)), `${ratio(percentile(ms, 95), goals.dashboardMs)}; min ${seconds(Math.min(...ms))}, max ${seconds(Math.max(...ms))}`);
    for (const name of Object.keys(shownBy)) {
      const some = solved.filter((s) => s.name === name).map((s) => s.ms);
      if (some.length) line(`  ${name}`, seconds(percentile(some, 50)), `p50 of ${some.length}; ${some.map((v) => (v / 1000).toFixed(1)).join(', ')} s`);
    }
  }
  const missing = solvers.flatMap((l) => Object.keys(shownBy).filter((n) => !l.stamps.has(n)).map((n) => `${l.name}: ${n}`));
  if (missing.length) console.log(`  stamps never printed: ${missing.join(', ')}`);
  line('server CPU while solving', `${(after.cpuSeconds - before.cpuSeconds).toFixed(1)} s`, `${(((after.cpuSeconds - before.cpuSeconds) / wall) * 100).toFixed(1)} % of one core over ${wall.toFixed(0)} s (utime+stime, /proc/${pid})`);
  const childCpu = [...after.children].reduce((sum, [child, cpu]) => sum + cpu - (before.children.get(child) ?? 0), 0);
  line('  its child processes (terminals\' docker exec)', `${childCpu.toFixed(1)} s`, `${after.children.size} live children; ones that exited meanwhile are not counted`);
  line('server RSS: before, peak, after', `${before.rssMiB.toFixed(0)} MiB`, `peak ${rssPeak.toFixed(0)} MiB, after ${after.rssMiB.toFixed(0)} MiB`);
  if (underLoad.length) {
    line('terminal echo while the class solves, p50', `${percentile(underLoad, 50).toFixed(1)} ms`, `n=${underLoad.length}, ${solvers.length} terminals`);
    line('terminal echo while the class solves, p95', `${percentile(underLoad, 95).toFixed(1)} ms`, `max ${Math.max(...underLoad).toFixed(0)} ms`);
  }

  // Check: `labs verify 2` in each learner's shell (graded on the server) → the grid's Check count.
  const checks: number[] = [];
  await Promise.all(solvers.map(async (l) => {
    const term = l.term!;
    const from = term.text.length;
    term.type(`labs verify 2 | tail -n 2; ${stamp('checked')}\r`);
    const m = await term.waitFor(/@@T checked (\d+)[.,](\d+)/, 5 * MINUTE, from).catch(() => undefined);
    if (m) {
      const at = Number(m[1]) * 1000 + Number(m[2]!.padEnd(6, '0')) / 1000;
      const deadline = Date.now() + MINUTE;
      while (Date.now() < deadline) {
        const hit = shown.find((s) => (s.rows.find((r) => r.learner.id === l.id)?.cells.find((c) => c.lab === 2)?.attempts ?? 0) >= 1);
        if (hit) return void checks.push(hit.at - at);
        await sleep(50);
      }
    }
    console.log(`  ${l.name}: \`labs verify 2\` did not show on the grid within a minute; the terminal shows: ${JSON.stringify(term.text.slice(from).slice(-600))}`);
  }));
  if (checks.length) line('dashboard: `labs verify` returns → SSE grid, p95', seconds(percentile(checks, 95)), `p50 ${seconds(percentile(checks, 50))}, n=${checks.length}`);

  // Environments after the labs ran in them.
  const busy = await environmentFigures(envs, 3);
  const busyMiB = busy.map((f) => f.mib);
  line('memory per environment after the labs, mean', `${(busyMiB.reduce((a, b) => a + b, 0) / busyMiB.length).toFixed(0)} MiB`, `max ${Math.max(...busyMiB).toFixed(0)} MiB (${ratio(Math.max(...busyMiB) * 1.048576, goals.memoryMB)})`);
  line('CPU per environment after the labs, mean', `${((busy.reduce((a, f) => a + f.cpu, 0) / busy.length) * 100).toFixed(0)} %`, 'of one core, with the labs\' pods running (docker stats, 3 samples)');

  feed.abort();
  for (const l of learners) l.term?.close();
  const errors = srv.output().split('\n').filter((l) => /grading:|error|failed/i.test(l)).slice(-10);
  if (errors.length) console.log(`\nserver log lines worth a look:\n  ${errors.join('\n  ')}`);
}

main()
  .catch((e: unknown) => {
    console.error(`bench failed: ${(e as Error).stack ?? e}`);
    if (server) console.error(`server output (tail):\n${server.output().slice(-3000)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup().then(() => process.exit()));
