// A swarm's nodes, as its manager (this machine's engine) lists them, and each one's own Docker API:
// the lab acts on a container (kill, pause, a partition) where it runs, and loads images into each
// node. A node's API is given by the user (x-lab.swarm.nodes, LAB_SWARM_NODES: hostname -> endpoint);
// the manager's is this machine's.
import Docker from 'dockerode';
import { EnvironmentError } from '../../errors.js';

export interface SwarmNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  labels: Record<string, string>;
  ready: boolean;
  /** This machine's engine (the manager the lab talks to). */
  self: boolean;
}

interface NodeJson {
  ID: string;
  Description?: { Hostname?: string };
  Spec?: { Role?: string; Labels?: Record<string, string> };
  Status?: { State?: string };
}

/** dockerode's connection options for an endpoint: unix:///path, tcp://host:port or http://host:port. */
export function dockerAt(endpoint: string): Docker {
  if (endpoint.startsWith('unix://')) return new Docker({ socketPath: endpoint.slice('unix://'.length) });
  const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

export class SwarmNodes {
  private listed?: { at: number; nodes: Promise<SwarmNode[]> };
  private readonly clients = new Map<string, Docker>();
  private selfId?: Promise<string>;

  constructor(
    readonly manager: Docker,
    private readonly endpoints: Record<string, string>,
  ) {}

  /** The nodes, read at most once a second. */
  list(): Promise<SwarmNode[]> {
    if (this.listed && performance.now() - this.listed.at < 1000) return this.listed.nodes;
    const nodes = (async () => {
      const self = await this.self();
      const raw = (await this.manager.listNodes()) as NodeJson[];
      return raw.map((n) => ({
        id: n.ID,
        hostname: n.Description?.Hostname ?? n.ID,
        role: n.Spec?.Role === 'manager' ? ('manager' as const) : ('worker' as const),
        labels: n.Spec?.Labels ?? {},
        ready: n.Status?.State === 'ready',
        self: n.ID === self,
      }));
    })();
    this.listed = { at: performance.now(), nodes };
    nodes.catch(() => (this.listed = undefined));
    return nodes;
  }

  /** This engine's node id in the swarm ('' when it is in none). */
  self(): Promise<string> {
    return (this.selfId ??= this.manager.info().then((i: { Swarm?: { NodeID?: string } }) => i.Swarm?.NodeID ?? ''));
  }

  async byId(id: string): Promise<SwarmNode | undefined> {
    return (await this.list()).find((n) => n.id === id);
  }

  /** Whether the lab knows how to reach this node's own Docker API. */
  reachable(node: SwarmNode): boolean {
    return node.self || !!this.endpoints[node.hostname];
  }

  /** The node's own Docker API; a node the lab has no endpoint for is an error that says what to add. */
  docker(node: SwarmNode, forWhat: string): Docker {
    if (node.self) return this.manager;
    const endpoint = this.endpoints[node.hostname];
    if (!endpoint)
      throw new EnvironmentError(`${forWhat} needs the Docker API of node ${node.hostname}, and the lab has none for it.`, {
        hint: `List it: LAB_SWARM_NODES=${node.hostname}=tcp://<address>:2375 (or unix:///path), or under x-lab.swarm.nodes in the topology.`,
      });
    let c = this.clients.get(endpoint);
    if (!c) this.clients.set(endpoint, (c = dockerAt(endpoint)));
    return c;
  }

  /** Every node whose API the lab has, the manager first. */
  async apis(): Promise<Array<{ node: SwarmNode; docker: Docker }>> {
    return (await this.list())
      .filter((n) => this.reachable(n))
      .sort((a, b) => Number(b.self) - Number(a.self))
      .map((node) => ({ node, docker: this.docker(node, 'the lab') }));
  }
}
