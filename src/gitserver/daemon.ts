// The git server as its own long-lived process, for when no platform web server hosts it
// (`labs addon argocd` from a plain shell, the cluster tests). Started by service.ts, which
// reads the state file this writes. Usage: node src/gitserver/daemon.ts [--port N] [--root DIR]
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kindNetworkGateway } from './address.ts';
import { startGitServer } from './server.ts';
import { defaultGitRoot, openGitStore } from './store.ts';
import { defaultGitPort, gitServerCode, type GitServerState } from './service.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, root: { type: 'string' } } });
const root = values.root ?? defaultGitRoot();
const port = Number(values.port ?? defaultGitPort());
const stateFile = join(root, 'server.json');

let gateway: string;
let server: Awaited<ReturnType<typeof startGitServer>>;
try {
  gateway = await kindNetworkGateway();
  server = await startGitServer({
    store: openGitStore(root),
    hosts: ['127.0.0.1', gateway],
    port,
    onRequest: (r) => console.log(`${new Date().toISOString()} ${r.user ?? '-'} ${r.method} ${r.path} ${r.status}`),
  });
} catch (error) {
  // One line for service.ts to report (it shows this log's last line).
  const message = (error as Error).message;
  console.error(/EADDRINUSE/.test(message) ? `${message} (another git server of another data folder? LABS_GIT_PORT picks another port)` : message);
  process.exit(1);
}
const state: GitServerState = { pid: process.pid, baseUrl: server.baseUrl, urls: server.urls, port, root, gateway, script: fileURLToPath(import.meta.url), code: gitServerCode() };
writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
console.log(`git server listening on ${server.urls.join(', ')}`);

const stop = () => {
  rmSync(stateFile, { force: true });
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
