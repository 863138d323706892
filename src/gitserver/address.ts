// Which address the git server listens on so that both the learner's shell and pods inside the
// kind cluster reach it: the gateway of docker's `kind` network is this host's own address on
// that bridge. Pods reach it through the node (kindnet masquerades pod traffic leaving the
// cluster); the host's shell reaches it directly. It is never a public address.
import { run } from '../base/exec.ts';

/** The docker network kind puts every cluster's nodes on (KIND_EXPERIMENTAL_DOCKER_NETWORK overrides it). */
export const kindNetworkName = (): string => process.env.KIND_EXPERIMENTAL_DOCKER_NETWORK ?? 'kind';

export async function kindNetworkGateway(network: string = kindNetworkName()): Promise<string> {
  const out = await run(
    'docker',
    ['network', 'inspect', network, '--format', '{{range .IPAM.Config}}{{.Gateway}} {{end}}'],
    `reading the gateway of docker network "${network}" (create a kind cluster first)`,
    { timeoutMs: 15_000 },
  );
  const ipv4 = out.trim().split(/\s+/).find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
  if (!ipv4) throw new Error(`docker network "${network}" has no IPv4 gateway (got "${out.trim()}")`);
  if (!isPrivateIPv4(ipv4)) throw new Error(`docker network "${network}" gateway ${ipv4} is not a private address; refusing to listen there`);
  return ipv4;
}

export function isPrivateIPv4(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}
