// How the lab's own process reaches a swarm's overlay, where nothing is published: a gateway
// container on the manager, attached to the overlay, whose HTTP CONNECT proxy is published on the
// manager's loopback only (a plain container may do that; a swarm service may not). For each address
// the lab dials (echo-2:50051, etcd:2379, consul:8500 ...), a forwarder in this process listens on a
// loopback address of its own and tunnels each connection through the gateway. Every client of the
// lab (gRPC, etcd3, fetch) works unchanged: it is handed the forwarder's address.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type Docker from 'dockerode';
import { log } from '../../util/log.js';
import { GATEWAY_ALIAS } from '../../topology/index.js';
import { LABEL } from '../labels.js';
import { HELPER_HOST_CONFIG, HELPER_USER } from '../runtime/least-privilege.js';

/** The port of the gateway's CONNECT proxy inside its container (src/agent/gateway.ts). */
const CONNECT_PORT = 8080;

export interface GatewayPlan {
  project: string;
  network: string;
  /** The agent image (assembled on demand), and the gateway's environment (its router's resolver). */
  image: () => Promise<string>;
  env: Record<string, string>;
  /** An instance's address in the overlay (its task's), for a name; the name itself otherwise. */
  addressOf: (host: string) => Promise<string>;
}

export const gatewayName = (project: string) => `${project}-gateway`;

export class Gateway {
  private port?: Promise<number>;
  private readonly forwarders = new Map<string, { server: Server; address: string }>();
  private next = 1;
  /** This process's block of loopback addresses for its forwarders (one per address it dials). */
  private readonly block = `127.${210 + ((process.pid >> 8) % 40)}.${process.pid % 256}`;

  constructor(
    private readonly docker: Docker,
    private readonly plan: GatewayPlan,
  ) {}

  /** A local address that leads to `address` in the overlay (made once per address; synchronous). */
  reach(address: string): string {
    const have = this.forwarders.get(address);
    if (have) return have.address;
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    const ip = `${this.block}.${this.next++}`;
    const server = createServer({ noDelay: true }, (socket) => void this.tunnel(address, socket));
    server.on('error', (err) => log('swarm', `forwarder for ${address} on ${ip}:${port} failed`, { error: err.message }));
    server.listen(port, ip);
    server.unref();
    const local = `${ip}:${port}`;
    this.forwarders.set(address, { server, address: local });
    return local;
  }

  /** Closes every forwarder (open tunnels end with their clients). */
  close(): void {
    for (const f of this.forwarders.values()) f.server.close();
    this.forwarders.clear();
    this.port = undefined;
  }

  /** Forgets the gateway's port (it was removed, or will be made again). */
  forget(): void {
    this.port = undefined;
  }

  private async tunnel(address: string, socket: Socket): Promise<void> {
    socket.on('error', () => undefined);
    let port: number;
    try {
      port = await this.connectPort();
    } catch (err) {
      log('swarm', `no gateway to reach ${address}`, { error: (err as Error).message });
      socket.resetAndDestroy();
      return;
    }
    // By the task's address, not its name: the swarm's DNS forgets a name for good when its task
    // leaves the network (a partition), though the task comes back under the same address.
    const i = address.lastIndexOf(':');
    const target = `${await this.plan.addressOf(address.slice(0, i)).catch(() => address.slice(0, i))}${address.slice(i)}`;
    const up = connect({ host: '127.0.0.1', port, noDelay: true });
    let open = false;
    // Refused or gone in the overlay, a gateway that closed before answering, or no answer in 5 s:
    // the lab's side is reset, as a dead backend's connection would be (never left hanging).
    const fail = () => {
      if (open) return socket.destroy();
      up.destroy();
      socket.resetAndDestroy();
    };
    const timer = setTimeout(fail, 5000);
    up.on('error', fail);
    up.on('close', () => {
      clearTimeout(timer);
      if (!open) fail();
    });
    up.once('connect', () => up.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      up.off('data', onData);
      clearTimeout(timer);
      if (!/^HTTP\/1\.[01] 200/.test(head.toString('latin1'))) return fail();
      open = true;
      const rest = head.subarray(end + 4);
      if (rest.length) socket.write(rest);
      up.pipe(socket);
      socket.pipe(up);
      up.on('close', () => socket.destroy());
      socket.on('close', () => up.destroy());
    };
    up.on('data', onData);
  }

  /** The gateway's published CONNECT port, making the gateway when its network is there and it is not. */
  private connectPort(): Promise<number> {
    if (!this.port) {
      this.port = this.ensure();
      this.port.catch(() => (this.port = undefined));
    }
    return this.port;
  }

  private async ensure(): Promise<number> {
    const name = gatewayName(this.plan.project);
    let info = await this.docker
      .getContainer(name)
      .inspect()
      .catch(() => undefined);
    const image = await this.plan.image();
    // A gateway of an older build (its image is by content) is replaced.
    if (!info || info.State.Status !== 'running' || info.Config.Image !== image) {
      if (info) await this.docker.getContainer(name).remove({ force: true });
      log('swarm', `create ${name}`);
      const c = await this.docker.createContainer({
        name,
        Image: image,
        Cmd: ['gateway'],
        Env: Object.entries(this.plan.env).map(([k, v]) => `${k}=${v}`),
        Labels: { [LABEL.project]: this.plan.project, [LABEL.role]: 'gateway', [LABEL.instance]: 'gateway' },
        User: HELPER_USER,
        ExposedPorts: { [`${CONNECT_PORT}/tcp`]: {} },
        HostConfig: {
          // Loopback only, on a port Docker picks: only this machine's lab reaches the overlay through it.
          PortBindings: { [`${CONNECT_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
          // Published through the default bridge (an internal overlay publishes nothing); the overlay is joined next.
          NetworkMode: 'bridge',
          ...HELPER_HOST_CONFIG,
        },
      });
      await this.docker.getNetwork(this.plan.network).connect({ Container: c.id, EndpointConfig: { Aliases: [GATEWAY_ALIAS] } });
      await c.start();
      info = await c.inspect();
    }
    const bound = info.NetworkSettings.Ports?.[`${CONNECT_PORT}/tcp`]?.[0]?.HostPort;
    if (!bound) throw new Error(`${name} publishes no CONNECT port`);
    return Number(bound);
  }
}
