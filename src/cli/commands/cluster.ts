// `labs cluster create|delete|list|reset|status|image`: thin over src/environments/kind-provider.ts
// (imported in run(): the Kubernetes client it loads costs most of a second, which `--help` need not pay).
import { parse } from '../args.ts';
import { UsageError, type Command, type Io } from '../command.ts';
import { clusterName, clusterNameRule, defaultClusterName } from '../../base/paths.ts';
import type { ClusterStatus } from '../../environments/kind-provider.ts';
import type { ProgressEvent } from '../../environments/progress.ts';

const usage = `Usage: labs cluster create [--name <name>] [--offline | --online] [--workers <n>] [--no-learner-guardrails] [--json]
       labs cluster delete [--name <name>] [--json]
       labs cluster reset  [--name <name>] [--offline | --online] [--json]
       labs cluster status [--name <name>] [--json]
       labs cluster list   [--json]
       labs cluster image  [--add <image>]... [--json]

Your own Kubernetes cluster (kind) for the labs.

  create   makes the cluster from kind/cluster.yaml, waits until its node is Ready and its
           system pods run, and writes its kubeconfig (printed at the end). Without internet
           (or with --offline) it first builds the offline node image, the course's images and
           a local registry mirror; later runs reuse that cache.
           Like kind, it also merges the context kind-<name> into your kubeconfig (the first
           existing file of $KUBECONFIG, else ~/.kube/config; never the platform's own), so
           \`kubectl --context kind-<name>\` works in any shell. Your current context is kept
           (set only when there is none).
  delete   removes the cluster, its containers, network and kubeconfig, and its context from
           your kubeconfig.
  reset    delete, then create.
  status   none, building, creating, ready or error, with a message.
  list     the kind clusters on this machine and their state.
  image    builds (or checks) the offline images and fills the local registry mirror;
           --add <image> pushes another image from your Docker engine into the mirror so
           every cluster can pull it under its real name.

Options:
  --name <name>   cluster name (default: $LABS_CLUSTER, else labs; kubectl context kind-<name>):
                  ${clusterNameRule}
  --offline       use the offline node image and local mirror even if upstream is reachable
  --online        use kind's upstream node image (needs internet)
  --workers <n>   create: worker nodes beside the control plane (default 0), e.g. a host
                  cluster for \`npm start -- --classroom --environments kubernetes\`
  --no-learner-guardrails
                  create/reset: leave out the learner guardrails (kind/guardrails/): only for
                  such a host cluster, whose privileged learner-cluster pods they would refuse
  --add <image>   with image: the local image to push into the mirror (repeatable)
  --json          print one JSON object instead of progress and text
  -h, --help      show this help`;

function progressPrinter(io: Io, json: boolean): (e: ProgressEvent) => void {
  if (json) return () => {};
  let lastPhase = '';
  return (e) => {
    const seconds = `${(e.elapsedMs / 1000).toFixed(0).padStart(4)}s`;
    if (e.phase !== lastPhase) {
      lastPhase = e.phase;
      io.err(`${seconds} ${io.color ? '\x1b[1m' : ''}${e.message}${io.color ? '\x1b[0m' : ''}`);
    } else if (io.interactive || process.env.LABS_VERBOSE) {
      io.err(`${seconds}   ${e.message}`);
    }
  };
}

/** The user-kubeconfig step of create/delete: the cluster is done either way, so a failure is one warning line. */
function userKubeconfig<T>(io: Io, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    io.err(`labs cluster: your kubeconfig was not changed: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function printStatus(io: Io, s: ClusterStatus): void {
  io.out(`${s.name.padEnd(16)} ${s.state.padEnd(9)} ${s.offline === undefined ? '' : s.offline ? 'offline ' : 'online  '}${s.message}`);
}

const command: Command = {
  name: 'cluster',
  usage,
  async run(argv, io) {
    const parsed = parse(argv, {
      name: { type: 'string' },
      offline: { type: 'boolean' },
      online: { type: 'boolean' },
      add: { type: 'string', multiple: true },
      workers: { type: 'string' },
      'no-learner-guardrails': { type: 'boolean' },
      json: { type: 'boolean' },
    }, { min: 0, max: 1, names: 'subcommand' });
    const [verb] = parsed.positionals;
    if (!verb) throw new UsageError('missing subcommand (create, delete, reset, status, list, image)');
    const name = clusterName(parsed.values.name ?? defaultClusterName());
    const { json = false } = parsed.values;
    if (parsed.values.offline && parsed.values.online) throw new UsageError('--offline and --online exclude each other');
    const offline = parsed.values.offline ? true : parsed.values.online ? false : undefined;
    const workers = parsed.values.workers === undefined ? 0 : Number(parsed.values.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 8) throw new UsageError(`--workers must be 0-8, got ${JSON.stringify(parsed.values.workers)}`);
    const learnerGuardrails = !parsed.values['no-learner-guardrails'];
    const onProgress = progressPrinter(io, json);
    const { kindProvider } = await import('../../environments/kind-provider.ts');
    const { prepareOffline } = await import('../../environments/offline.ts');
    const { mergeIntoUserKubeconfig, removeFromUserKubeconfig } = await import('../user-kubeconfig.ts');

    switch (verb) {
      case 'create':
      case 'reset': {
        const { endOfLifeWarnings } = await import('../../environments/end-of-life.ts');
        for (const line of endOfLifeWarnings()) io.err(`warning: ${line}`); // stderr: --json stays one object
        const info = verb === 'create'
          ? await kindProvider.create({ name, offline, onProgress, workers, learnerGuardrails })
          : await kindProvider.reset({ name, offline, onProgress, workers, learnerGuardrails });
        const merged = userKubeconfig(io, () => mergeIntoUserKubeconfig(name));
        if (json) io.out(JSON.stringify({ ...info, userKubeconfig: merged && { file: merged.file, context: merged.context, currentContext: merged.current } }));
        else {
          io.out(`Cluster "${info.name}" is ready (${info.offline ? 'offline node image and local mirror' : 'upstream node image'}, ${info.createSeconds.toFixed(0)} s).`);
          io.out(`  export KUBECONFIG=${info.kubeconfig}`);
          io.out('  kubectl get nodes');
          if (merged) {
            io.out(`Context ${merged.context} is in ${merged.file} too: kubectl --context ${merged.context} get nodes`);
            io.out(merged.currentWasSet ? `  (now its current context: it had none)` : `  (its current context is still ${merged.current}: kubectl config use-context ${merged.context} switches)`);
          }
        }
        return 0;
      }
      case 'delete': {
        const existed = await kindProvider.delete(name, onProgress);
        const removed = userKubeconfig(io, () => removeFromUserKubeconfig(name)) ?? [];
        if (json) io.out(JSON.stringify({ name, deleted: existed, removedFrom: removed.map((r) => r.file) }));
        else {
          io.out(existed ? `Cluster "${name}" deleted.` : `No cluster "${name}" (nothing to delete).`);
          for (const r of removed) {
            io.out(`Context kind-${name} removed from ${r.file}${r.wasCurrent ? ' (it was the current context: none is set now)' : ''}.`);
          }
        }
        return 0;
      }
      case 'status': {
        const s = await kindProvider.status(name);
        if (json) io.out(JSON.stringify(s));
        else printStatus(io, s);
        return s.state === 'error' ? 1 : 0;
      }
      case 'list': {
        const all = await kindProvider.list();
        if (json) io.out(JSON.stringify(all));
        else if (all.length === 0) io.out('No kind clusters (labs cluster create).');
        else for (const s of all) printStatus(io, s);
        return 0;
      }
      case 'image': {
        const { ensureDockerEngine } = await import('../../environments/docker/engine.ts');
        const { ensureMirrorRunning, mirrorState, pushToMirror } = await import('../../environments/mirror.ts');
        const { ImageBuilder } = await import('../../environments/images/build.ts');
        const { reporter } = await import('../../environments/progress.ts');
        const report = reporter(onProgress);
        report.phase('docker', 'checking the Docker engine');
        await ensureDockerEngine((m) => report.log(m));
        const adds = parsed.values.add ?? [];
        const pushed: string[] = [];
        if (adds.length > 0) {
          const builder = new ImageBuilder();
          const registry = builder.catalog.images.find((i) => i.refs[0].includes('/registry:'));
          if (!registry) throw new Error('kind/images.yaml: no registry image');
          if (!(await mirrorState()).running) {
            report.phase('images', 'building the registry image where not cached');
            await builder.buildAll((i) => i === registry);
          }
          await ensureMirrorRunning(registry.refs[0], (m) => report.log(m));
          for (const ref of adds) {
            report.phase('mirror', `adding ${ref} to the mirror`);
            await pushToMirror(ref, (m) => report.log(m));
            pushed.push(ref);
          }
        } else {
          const started = Date.now();
          const { nodeImage } = await prepareOffline(report);
          if (json) io.out(JSON.stringify({ nodeImage, seconds: (Date.now() - started) / 1000, mirror: (await mirrorState()).hostUrl }));
          else io.out(`Offline images ready: node image ${nodeImage}, mirror ${(await mirrorState()).hostUrl} (${((Date.now() - started) / 1000).toFixed(0)} s).`);
          return 0;
        }
        if (json) io.out(JSON.stringify({ added: pushed }));
        else io.out(`Added to the mirror: ${pushed.join(', ')}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown subcommand "${verb}" (create, delete, reset, status, list, image)`);
    }
  },
};

export default command;
