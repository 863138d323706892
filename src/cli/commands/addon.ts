// `labs addon argocd`: Argo CD (built offline) in the learner's cluster, connected to the
// in-class git server. A thin caller of src/environments/addons and src/gitserver.
// Libraries are imported in run(): `labs addon --help` (and `labs --help`) stay quick.
import { clusterFlags, parse } from '../args.ts';
import { UsageError, type Command, type Io } from '../command.ts';
import type { ArgocdInstallation } from '../../environments/addons/argocd.ts';
import { adminPasswordCommand } from '../../environments/addons/argocd-names.ts';

const usage = `Usage: labs addon argocd [--cluster <name>] [--learner <name>] [--reapply] [--json]
       labs addon argocd --status [--cluster <name>] [--json]
       labs addon argocd --clone-url [--cluster <name>] [--learner <name>]

Installs Argo CD into a learner's kind cluster: builds Argo CD from the Go module proxy and
its images (the first time only; later runs reuse the cache), applies Argo CD's own install
manifest (dex, notifications and applicationset trimmed), waits for it to be ready, starts the
in-class git server and gives Argo CD the learner's git credentials. Safe to run again: when
the same version is installed and ready, only the git connection is checked (a few seconds).

The cluster is chosen as for labs verify: --cluster (or --name), else --context/--kubeconfig,
else KUBECONFIG, else the platform's cluster $LABS_CLUSTER (default labs); it must be one the
platform made (labs cluster list). Every step — images, install, git credentials — goes there.

Options:
  --cluster <name>    the platform's cluster (also --name <name>)
  --context <name>    a context (kind-<name>: the platform's cluster <name>)
  --kubeconfig <file> a kubeconfig whose context is one of the platform's clusters
  --learner <name>    whose git repository Argo CD reads (default: the cluster name)
  --reapply           apply the install manifest again even if Argo CD is installed and ready
  --status            report whether Argo CD is ready, install nothing
  --clone-url         print the learner's repository URL with credentials (for scripts), install nothing
  --json              print one JSON object instead of text
  -h, --help          show this help

Afterwards:
  password  ${adminPasswordCommand}
  login     argocd login <node>:31001 --insecure --username admin --password <password>
  refresh   argocd app get <app> --refresh   (Argo CD polls git every 3 minutes by default)`;

function printInstallation(io: Io, a: ArgocdInstallation): void {
  const cloneUrl = a.git.url.replace('://', `://${a.git.learner}@`);
  const host = new URL(a.serverUrl).host;
  io.out('');
  io.out(`Argo CD ${a.version} is ready in cluster "${a.cluster}" (images ${a.imageDelivery === 'mirror' ? 'from the local registry mirror' : 'loaded into the node'}).`);
  io.out('');
  io.out(`  Server     ${a.serverUrl}   (NodePort 31001; in the platform: /argocd/)`);
  io.out(`  Web UI     not available: the UI cannot be built offline (kind/argocd/UI.md); use the argocd CLI`);
  io.out(`  Password   ${adminPasswordCommand}`);
  io.out(`  Log in     argocd login ${host} --insecure --username admin --password "$(kubectl -n argocd get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d)"`);
  io.out(`  CLI        ${a.cli}`);
  io.out('');
  io.out(`  Your repo  ${a.git.url}`);
  io.out(`             git clone ${cloneUrl}   (user ${a.git.learner}, password ${a.git.password})`);
  io.out(`  Examples   ${a.git.examplesUrl}   (read-only; path guestbook)`);
  io.out('');
  io.out('Argo CD checks git every 3 minutes; after a push, `argocd app get <app> --refresh` looks now.');
  io.out(`Took ${(a.timings.totalMs / 1000).toFixed(0)}s (build ${(a.timings.buildMs / 1000).toFixed(0)}s, images ${(a.timings.deliverMs / 1000).toFixed(0)}s, install ${(a.timings.installMs / 1000).toFixed(0)}s).`);
}

const command: Command = {
  name: 'addon',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      name: { type: 'string' },
      ...clusterFlags,
      learner: { type: 'string' },
      status: { type: 'boolean', default: false },
      reapply: { type: 'boolean', default: false },
      'clone-url': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    }, { min: 0, max: Infinity, names: 'add-on' });
    if (values.help) { io.out(usage); return 0; }
    if (positionals.length !== 1 || positionals[0] !== 'argocd') {
      throw new UsageError(positionals.length === 0 ? 'name an add-on: labs addon argocd' : `unknown add-on "${positionals.join(' ')}" (known: argocd)`);
    }
    if (values.name !== undefined && values.cluster !== undefined && values.name !== values.cluster) {
      throw new UsageError(`--name ${values.name} and --cluster ${values.cluster} name different clusters`);
    }
    const { ensureGitServer, learnerRepo } = await import('../../gitserver/service.ts');
    if (values['clone-url'] && values.learner) {
      // Only the git server is involved: no cluster needed.
      const repo = await learnerRepo(await ensureGitServer(), values.learner, { use: 'handout' });
      io.out(repo.url.replace('://', `://${repo.learner}:${encodeURIComponent(repo.password)}@`));
      return 0;
    }
    const { chooseCluster, ClusterChoiceError, platformClusters } = await import('../../../grader/cluster-choice.ts');
    const choice = chooseCluster({ clusterName: values.cluster ?? values.name, kubeconfig: values.kubeconfig, context: values.context });
    if (!choice.clusterName) {
      const known = platformClusters();
      throw new ClusterChoiceError(
        `${choice.context ? `context ${choice.context} of ` : ''}${choice.kubeconfig} is not a cluster the platform made; add-ons go into those only: pass --cluster <name> (clusters: ${known.join(', ') || 'none'}; see \`labs cluster list\`)`,
      );
    }
    const cluster = choice.clusterName;
    const learner = values.learner ?? cluster;
    const target = { cluster, kubeconfig: choice.kubeconfig, context: choice.context };

    if (values['clone-url']) {
      const repo = await learnerRepo(await ensureGitServer(), learner, { use: 'handout' });
      io.out(repo.url.replace('://', `://${repo.learner}:${encodeURIComponent(repo.password)}@`));
      return 0;
    }

    const { argocdReady, argocdServerUrl, initialAdminPassword, installArgocd } = await import('../../environments/addons/argocd.ts');

    if (values.status) {
      const ready = await argocdReady(target);
      const status = { cluster, ready, serverUrl: ready ? await argocdServerUrl(target) : undefined, adminPassword: ready ? await initialAdminPassword(target) : undefined };
      if (values.json) io.out(JSON.stringify(status));
      else io.out(ready ? `Argo CD is ready in cluster "${cluster}" at ${status.serverUrl}` : `Argo CD is not installed (or not ready) in cluster "${cluster}": labs addon argocd --cluster ${cluster}`);
      return ready ? 0 : 1;
    }

    const installation = await installArgocd({
      ...target,
      learner,
      reapply: values.reapply,
      onProgress: values.json ? undefined : (e) => io.err(`[${(e.elapsedMs / 1000).toFixed(0).padStart(4)}s] ${e.phase === 'ready' ? '✓' : '…'} ${e.message}`),
    });
    if (values.json) io.out(JSON.stringify(installation));
    else printInstallation(io, installation);
    return 0;
  },
};

export default command;
