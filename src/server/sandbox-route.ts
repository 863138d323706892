// How learners' sandboxes reach the class server, whatever address the instructor binds. In a
// sandbox `labs-server` is Docker's host-gateway: the default bridge's gateway, an address of
// this host that every learner network reaches. A server bound to 0.0.0.0 answers there; one
// bound to 127.0.0.1 or a LAN address does not, and `labs verify` could not connect. So the
// server then also listens on that gateway, for connections from this machine's Docker
// networks only, and hands them to the same HTTP server: the same Host, origin, session and
// body guards as every other request.
import type { Server } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { run } from '../base/exec.ts';

/** The wildcard addresses: a server bound there already answers on the bridge's gateway. */
export function bindsEveryAddress(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** Docker's host-gateway as sandboxes resolve it by default: the gateway of the `bridge` network (docker0). */
export async function dockerBridgeGateway(): Promise<string> {
  const out = await run('docker', ['network', 'inspect', 'bridge', '--format', '{{range .IPAM.Config}}{{.Gateway}} {{end}}'], 'reading the gateway of Docker\'s bridge network', { timeoutMs: 15_000 });
  return bridgeGateway(out);
}

/**
 * The gateway `docker network inspect bridge` lists, else docker0's own IPv4 address: some daemons
 * list the default bridge's subnet without its gateway (Docker 20.10 on Debian: IPAM Config
 * [{"Subnet":"172.17.0.0/16"}]), and host-gateway is then that address of docker0.
 */
export function bridgeGateway(inspected: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string {
  const listed = inspected.trim().split(/\s+/).find((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address));
  const gateway = listed ?? interfaces.docker0?.find((info) => info.family === 'IPv4')?.address;
  if (!gateway) throw new Error(`Docker's bridge network has no IPv4 gateway (got "${inspected.trim()}", and docker0 has no IPv4 address)`);
  return gateway;
}

const ipv4Number = (address: string): number => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** Whether `address` is on one of this host's Docker bridges (docker0, br-<id>): a container of this machine. */
export function onDockerBridge(address: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): boolean {
  const ip = address.replace(/^::ffff:/, '');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  for (const [name, infos] of Object.entries(interfaces)) {
    if (!/^(docker\d+|br-[0-9a-f]+)$/.test(name)) continue;
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4' || !info.cidr) continue;
      const bits = Number(info.cidr.split('/')[1]);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if (((ipv4Number(ip) & mask) >>> 0) === ((ipv4Number(info.address) & mask) >>> 0)) return true;
    }
  }
  return false;
}

/**
 * Listens on `address:port` and passes each connection from a Docker bridge to `server` (TLS,
 * when it serves TLS, is done there). Anything else is closed unanswered. Rejects when the
 * address cannot be bound.
 */
export function listenForSandboxes(server: Server, address: string, port: number, admit: (remote: string) => boolean = onDockerBridge): Promise<NetServer> {
  const listener = createServer((socket: Socket) => {
    if (!admit(socket.remoteAddress ?? '')) return void socket.destroy();
    server.emit('connection', socket);
  });
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, address, () => {
      listener.off('error', reject);
      resolve(listener);
    });
  });
}
