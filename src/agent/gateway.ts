// A swarm's gateway, in the overlay on the manager: how the lab's own process reaches the sandbox
// (an HTTP CONNECT proxy, published on the manager's loopback only: each of the lab's connections
// to echo-2:50051, etcd:2379, consul:8500 ... is tunnelled through it), and the gRPC router a
// scenario's {router} dials (seed 003), as `lab router` runs it on one engine.
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { GrpcRouter } from '../router/index.js';
import { sandboxResolverOptions } from '../traffic/index.js';

export const CONNECT_PORT = 8080;

function tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
  const target = req.url ?? '';
  const i = target.lastIndexOf(':');
  const host = target.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(target.slice(i + 1));
  if (i <= 0 || !port) {
    client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    return;
  }
  const upstream = connect({ host, port, noDelay: true });
  let connected = false;
  upstream.once('connect', () => {
    connected = true;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  // Refused or gone: the lab's side resets its connection, as a dead backend's would be.
  upstream.once('error', () => (connected ? client.resetAndDestroy() : client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')));
  client.once('error', () => upstream.destroy());
  client.once('close', () => upstream.destroy());
}

export async function runGateway(env: NodeJS.ProcessEnv): Promise<void> {
  const proxy = createServer((_req, res) => res.writeHead(405).end('CONNECT only\n'));
  proxy.on('connect', tunnel);
  await new Promise<void>((resolve) => proxy.listen(CONNECT_PORT, '0.0.0.0', resolve));
  const service = env.LAB_SERVICE ?? 'echo';
  const router = new GrpcRouter(
    [GrpcRouter.route('*', `etcd:///${service}`, 'round_robin')],
    sandboxResolverOptions({
      etcd: { hostAddress: env.LAB_ETCD ?? 'etcd:2379', clusterAddress: env.LAB_ETCD ?? 'etcd:2379' },
      consul: { hostAddress: env.LAB_CONSUL ?? 'consul:8500', clusterAddress: env.LAB_CONSUL ?? 'consul:8500' },
      registration: { etcdPrefix: env.LAB_ETCD_PREFIX ?? '/lab/services', leaseTtlMs: 5000, checkIntervalMs: 1000, deregisterAfterMs: 60_000 },
    }),
  );
  await router.listen('0.0.0.0', Number(env.LAB_ROUTER_PORT ?? 50070));
  process.stdout.write(`gateway: CONNECT on :${CONNECT_PORT}, router on :${env.LAB_ROUTER_PORT ?? 50070}\n`);
  const bye = () => void router.close().finally(() => process.exit(0));
  process.on('SIGTERM', bye);
  process.on('SIGINT', bye);
}
