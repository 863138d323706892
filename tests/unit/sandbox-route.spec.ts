// The class server's route for learners' sandboxes (src/server/sandbox-route.ts): bound to one
// address, it also listens on Docker's bridge gateway, for this machine's containers only, and
// hands them to the same HTTP server (issue #23, item 1).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindsEveryAddress, bridgeGateway, listenForSandboxes, onDockerBridge } from '../../src/server/sandbox-route.ts';

const v4 = (address: string, cidr: string): NetworkInterfaceInfo => ({ address, cidr, family: 'IPv4', netmask: '', mac: '', internal: false });
const interfaces = {
  lo: [{ ...v4('127.0.0.1', '127.0.0.1/8'), internal: true }],
  eth0: [v4('192.168.1.20', '192.168.1.20/24')],
  docker0: [v4('172.17.0.1', '172.17.0.1/16')],
  'br-3f2a9c0d1e4b': [v4('172.19.0.1', '172.19.0.1/16')],
};

describe('which connections are sandboxes', () => {
  it('a container on docker0 or a learner network (br-…) is; loopback, the LAN and others are not', () => {
    expect(onDockerBridge('172.19.0.3', interfaces)).toBe(true);
    expect(onDockerBridge('::ffff:172.17.0.5', interfaces)).toBe(true);
    for (const address of ['127.0.0.1', '192.168.1.30', '172.20.0.3', '10.0.0.1', '::1', '']) expect(onDockerBridge(address, interfaces), address).toBe(false);
  });

  it("the bridge's gateway as Docker lists it, else docker0's own address (a daemon that lists the subnet only)", () => {
    expect(bridgeGateway('172.17.0.1 ', interfaces)).toBe('172.17.0.1');
    expect(bridgeGateway('fd00::1 172.30.0.1 ', interfaces)).toBe('172.30.0.1');
    expect(bridgeGateway(' ', interfaces)).toBe('172.17.0.1');
    expect(() => bridgeGateway(' ', { eth0: interfaces.eth0 })).toThrow(/no IPv4 gateway/);
  });

  it('only a wildcard bind already answers on the bridge', () => {
    expect(bindsEveryAddress('0.0.0.0')).toBe(true);
    expect(bindsEveryAddress('::')).toBe(true);
    for (const host of ['127.0.0.1', '192.168.1.20', 'localhost']) expect(bindsEveryAddress(host)).toBe(false);
  });
});

describe('the second listener', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => res.end(`answered ${req.headers.host}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  const get = (host: string, listenerPort: number) => new Promise<string>((resolve, reject) => {
    request({ host, port: listenerPort, path: '/', agent: false, headers: { host: 'labs-server' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });

  it('hands admitted connections to the same server, on its port at another address', async () => {
    const listener = await listenForSandboxes(server, '127.0.0.2', port, () => true);
    try {
      expect(await get('127.0.0.2', port)).toBe('answered labs-server');
    } finally {
      listener.close();
    }
  });

  it('closes the others unanswered', async () => {
    const listener = await listenForSandboxes(server, '127.0.0.2', port, () => false);
    try {
      await expect(get('127.0.0.2', port)).rejects.toThrow(/socket hang up|ECONNRESET/);
    } finally {
      listener.close();
    }
  });

  it('rejects when the address cannot be bound', async () => {
    await expect(listenForSandboxes(server, '127.0.0.1', port)).rejects.toThrow(/EADDRINUSE/);
  });
});
