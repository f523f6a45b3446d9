// ContainerRuntime on a Docker Swarm that this machine's engine manages: each container the lab
// plans is a service of one task (service-spec.ts), and what the lab does to a container (kill,
// pause, stop, a partition, its logs) is done to that task's container through the Docker API of the
// node it runs on (nodes.ts). Images reach the nodes by docker save | load (images.ts). The lab's own
// calls reach the overlay through the gateway (gateway.ts) and traffic clients run as agents in it:
// both are the swarm engine's (src/engine/swarm.ts), not this runtime's. Up, actions and scenarios
// see only the ContainerRuntime contract.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { EnvironmentError } from '../../errors.js';
import type { Topology } from '../../topology/index.js';
import { log } from '../../util/log.js';
import { LABEL, labelFilter } from '../labels.js';
import type { ContainerInfo, ContainerRuntime, ContainerSpec, ContainerState, NetworkInfo } from '../runtime/container-runtime.js';
import { DockerRuntime, demux, memoryOf } from '../runtime/docker-runtime.js';
import { ImageCopies } from './images.js';
import { type SwarmNode, SwarmNodes } from './nodes.js';
import { ZONE_LABEL, placementOf, serviceSpecOf } from './service-spec.js';

interface Task {
  ID: string;
  ServiceID: string;
  NodeID: string;
  CreatedAt: string;
  DesiredState: string;
  Status: { State: string; Timestamp: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  NetworksAttachments?: Array<{ Network: { ID: string }; Addresses?: string[] }>;
}

interface ServiceJson {
  ID: string;
  Version: { Index: number };
  Spec: Docker.ServiceSpec & {
    Name: string;
    Labels?: Record<string, string>;
    TaskTemplate?: { ForceUpdate?: number; ContainerSpec?: { Mounts?: Array<{ Source?: string; Type: string }> } };
  };
}

const TERMINAL = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);

/** A DockerRuntime on the manager that overrides what a swarm does differently: images stay the manager's. */
export class SwarmRuntime extends DockerRuntime implements ContainerRuntime {
  override readonly engine = 'swarm' as const;
  readonly nodes: SwarmNodes;
  private readonly copies: ImageCopies;

  constructor(
    private readonly manager: Docker,
    private readonly t: Pick<Topology, 'project' | 'network' | 'swarm'>,
    /** Told when the overlay is gone, with the gateway and agents in it (the engine's gateway forgets its port). */
    private readonly onOverlayRemoved: () => void = () => undefined,
  ) {
    super(manager);
    this.nodes = new SwarmNodes(manager, t.swarm?.nodes ?? {});
    this.copies = new ImageCopies(this.nodes);
  }

  private addresses?: { at: number; byName: Promise<Map<string, string>> };

  /** An instance's task address in the overlay (read at most once a second); unknown names as they are. */
  async addressOf(host: string): Promise<string> {
    if (!this.addresses || performance.now() - this.addresses.at > 1000) {
      const byName = (async () => {
        const services = await this.services({ [LABEL.project]: this.t.project });
        const tasks = await this.latestTasks(services.map((s) => s.ID));
        const out = new Map<string, string>();
        for (const s of services) {
          const ip = taskIp(tasks.get(s.ID));
          const name = s.Spec.Labels?.[LABEL.instance];
          if (ip && name && tasks.get(s.ID)?.Status.State === 'running') out.set(name, ip);
        }
        return out;
      })();
      this.addresses = { at: performance.now(), byName };
      byName.catch(() => (this.addresses = undefined));
    }
    return (await this.addresses.byName).get(host) ?? host;
  }

  override async ping(timeoutMs: number): Promise<void> {
    await super.ping(timeoutMs);
    const info = (await this.manager.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    if (info.Swarm?.LocalNodeState !== 'active')
      throw new EnvironmentError('--engine swarm: this machine’s Docker engine is in no swarm.', {
        hint: 'Make one: `docker swarm init` (one node), or `bash scripts/test-swarm.sh up` (three nodes on this machine, for trying it); then give the lab each other node’s Docker API in LAB_SWARM_NODES. Or drop --engine swarm.',
      });
    if (!info.Swarm.ControlAvailable)
      throw new EnvironmentError('--engine swarm: this machine’s Docker engine is a worker of its swarm, not a manager.', {
        hint: 'Run the lab on a manager node (docker node ls there lists them).',
      });
  }

  // Images: the manager's (inherited); copied to a node when a task is placed there.

  /** Each service's latest task, by service id. */
  private async latestTasks(serviceIds?: string[]): Promise<Map<string, Task>> {
    const tasks = (await this.manager.listTasks(serviceIds ? { filters: JSON.stringify({ service: serviceIds }) } : {})) as Task[];
    const latest = new Map<string, Task>();
    for (const task of tasks) {
      const have = latest.get(task.ServiceID);
      if (!have || task.CreatedAt > have.CreatedAt) latest.set(task.ServiceID, task);
    }
    return latest;
  }

  /** The services with these labels, as the API lists them (dockerode's types say its Service class; the list is their JSON). */
  private async services(labels: Record<string, string>): Promise<ServiceJson[]> {
    return (await this.manager.listServices({ filters: labelFilter(labels) })) as unknown as ServiceJson[];
  }

  private async service(id: string): Promise<ServiceJson> {
    return (await this.manager.getService(id).inspect()) as ServiceJson;
  }

  /** The task's container where it runs: its node, that node's API, and the container id. */
  private async taskContainer(serviceId: string, forWhat: string): Promise<{ node: SwarmNode; docker: Docker; id: string; task: Task }> {
    const task = (await this.latestTasks([serviceId])).get(serviceId);
    const id = task?.Status.ContainerStatus?.ContainerID;
    const node = task ? await this.nodes.byId(task.NodeID) : undefined;
    if (!task || !id || !node) throw new Error(`${forWhat}: the service has no task with a container yet`);
    return { node, docker: this.nodes.docker(node, forWhat), id, task };
  }

  override async listContainers(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const services = await this.services(labels);
    if (!services.length) return [];
    const [tasks, nodes] = await Promise.all([this.latestTasks(services.map((s) => s.ID)), this.nodes.list()]);
    // Paused is not a task state: ask the nodes that run a task for their containers' states.
    const states = new Map<string, ContainerState>();
    await Promise.all(
      [...new Set([...tasks.values()].map((t) => t.NodeID))].map(async (nodeId) => {
        const node = nodes.find((n) => n.id === nodeId);
        if (!node || !this.nodes.reachable(node)) return;
        const list = await this.nodes
          .docker(node, 'listing containers')
          .listContainers({ all: true, filters: labelFilter(labels) })
          .catch(() => []);
        for (const c of list) states.set(c.Id, c.State as ContainerState);
      }),
    );
    return services.map((s) => {
      const task = tasks.get(s.ID);
      const node = nodes.find((n) => n.id === task?.NodeID);
      return {
        id: s.ID,
        name: s.Spec.Name,
        state: stateOf(task, states),
        status: task ? `${task.Status.State}${node ? ` on ${node.hostname}` : ''}${task.Status.Err ? `: ${task.Status.Err}` : ''}` : 'no task',
        labels: s.Spec.Labels ?? {},
        node: node?.hostname,
      };
    });
  }

  override async createContainer(spec: ContainerSpec): Promise<string> {
    const nodes = (await this.nodes.list()).filter((n) => n.ready);
    const candidates = spec.zone ? nodes.filter((n) => n.labels[ZONE_LABEL] === spec.zone) : nodes.filter((n) => n.self);
    if (!candidates.length)
      throw new EnvironmentError(`${spec.name} is placed in zone ${spec.zone}, and no ready node of the swarm has the label ${ZONE_LABEL}=${spec.zone}.`, {
        hint: `Label a node for it: docker node update --label-add ${ZONE_LABEL}=${spec.zone} <node> (docker node ls lists them), or change x-lab.zones in the topology.`,
      });
    const network = (await this.listNetworks({})).find((n) => n.name === spec.network);
    if (!network) throw new Error(`the overlay network ${spec.network} is missing`);
    const imageId = await this.copies.ensure(spec.image, candidates);
    log('swarm', `create service ${spec.name}`, { image: spec.image, placement: placementOf(spec) });
    return (await this.manager.createService(serviceSpecOf(spec, network.id, imageId))).id;
  }

  override async startContainer(id: string): Promise<void> {
    if (!(await this.isService(id))) return super.startContainer(id);
    const task = (await this.latestTasks([id])).get(id);
    if (task && !TERMINAL.has(task.Status.State)) return; // starting or running already
    // A task that ended stays ended (restart: none): a new one is asked for.
    const s = await this.service(id);
    const spec = structuredClone(s.Spec) as ServiceJson['Spec'];
    spec.TaskTemplate = { ...spec.TaskTemplate, ForceUpdate: (spec.TaskTemplate?.ForceUpdate ?? 0) + 1 };
    log('swarm', `start a new task of ${s.Spec.Name}`);
    await this.manager.getService(id).update({ version: s.Version.Index, ...spec } as never);
  }

  private async isService(id: string): Promise<boolean> {
    return this.manager
      .getService(id)
      .inspect()
      .then(() => true)
      .catch(() => false);
  }

  /** Removes the service and waits until its task's container is gone from its node (then its volumes). */
  override async removeContainer(id: string): Promise<void> {
    if (!(await this.isService(id))) return super.removeContainer(id);
    const s = await this.service(id);
    const tasks = (await this.manager.listTasks({ filters: JSON.stringify({ service: [id] }) })) as Task[];
    // Removed by force, as on one engine (the registries go with the backends): SIGKILL first, so
    // the node does not wait out the task's stop grace period.
    await this.killContainer(id, 'SIGKILL').catch(() => undefined);
    await this.manager
      .getService(id)
      .remove()
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
    const volumes = (s.Spec.TaskTemplate?.ContainerSpec?.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Source).map((m) => m.Source!);
    for (const nodeId of new Set(tasks.map((t) => t.NodeID))) {
      const node = await this.nodes.byId(nodeId);
      if (!node || !this.nodes.reachable(node)) continue;
      const docker = this.nodes.docker(node, 'removing a service');
      const mine = tasks
        .filter((t) => t.NodeID === nodeId)
        .map((t) => t.Status.ContainerStatus?.ContainerID)
        .filter(Boolean) as string[];
      // The node removes the task's container on its own time; the lab waits for it (20 s at most),
      // so that `lab down` leaves nothing behind.
      for (let i = 0; i < 80; i++) {
        const left = await Promise.all(
          mine.map((cid) =>
            docker
              .getContainer(cid)
              .inspect()
              .then(
                () => cid,
                () => undefined,
              ),
          ),
        );
        if (!left.some(Boolean)) break;
        if (i === 40) await Promise.allSettled(left.filter(Boolean).map((cid) => docker.getContainer(cid!).remove({ force: true })));
        await sleep(250);
      }
      await Promise.allSettled(volumes.map((v) => docker.getVolume(v).remove()));
    }
  }

  override async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    if (!(await this.isService(id))) return super.killContainer(id, signal);
    const c = await this.taskContainer(id, `${signal} to a task`);
    await c.docker.getContainer(c.id).kill({ signal });
  }

  override async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    if (!(await this.isService(id))) return super.stopContainer(id, timeoutSeconds);
    const c = await this.taskContainer(id, 'stopping a task');
    await c.docker
      .getContainer(c.id)
      .stop({ t: timeoutSeconds })
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 304) throw err;
      });
  }

  override async pauseContainer(id: string): Promise<void> {
    const c = await this.taskContainer(id, 'pausing a task');
    await c.docker.getContainer(c.id).pause();
  }

  override async unpauseContainer(id: string): Promise<void> {
    const c = await this.taskContainer(id, 'unpausing a task');
    await c.docker.getContainer(c.id).unpause();
  }

  override async inspectContainer(id: string): Promise<{ state: ContainerState; exitCode: number; ip?: string; startedAt: string }> {
    if (!(await this.isService(id))) return super.inspectContainer(id);
    const task = (await this.latestTasks([id])).get(id);
    let state = stateOf(task, new Map());
    const cid = task?.Status.ContainerStatus?.ContainerID;
    const node = task ? await this.nodes.byId(task.NodeID) : undefined;
    if (cid && node && this.nodes.reachable(node)) {
      const info = await this.nodes
        .docker(node, 'inspecting a task')
        .getContainer(cid)
        .inspect()
        .catch(() => undefined);
      if (info) state = info.State.Status as ContainerState;
    }
    return { state, exitCode: task?.Status.ContainerStatus?.ExitCode ?? 0, ip: taskIp(task), startedAt: task?.Status.Timestamp ?? '' };
  }

  override async logs(id: string, lines: number): Promise<string> {
    try {
      const c = await this.taskContainer(id, 'reading a task’s logs');
      const buf = await c.docker.getContainer(c.id).logs({ stdout: true, stderr: true, tail: lines, follow: false });
      return demux(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    } catch {
      return '';
    }
  }

  override async memoryUsage(id: string): Promise<number> {
    const c = await this.taskContainer(id, 'reading a task’s memory');
    return memoryOf(await c.docker.getContainer(c.id).stats({ stream: false }));
  }

  /** A partition: the task's container leaves the overlay on its node (swarm's DNS then forgets its name). */
  override async disconnectNetwork(containerId: string, network: string): Promise<void> {
    const c = await this.taskContainer(containerId, 'a partition');
    log('swarm', `disconnect ${c.id.slice(0, 12)} on ${c.node.hostname} from ${network}`);
    await c.docker.getNetwork(network).disconnect({ Container: c.id, Force: true });
  }

  /**
   * Joins again under the address the swarm gave the task: a node would otherwise hand out one of
   * its own, which another task may hold. The swarm's DNS does not learn the name again; clients that
   * dial the address (the registries list it) reach it.
   */
  override async connectNetwork(containerId: string, network: string, aliases: string[]): Promise<void> {
    const c = await this.taskContainer(containerId, 'healing a partition');
    const ip = taskIp(c.task);
    log('swarm', `connect ${c.id.slice(0, 12)} on ${c.node.hostname} to ${network}`, { ip });
    await c.docker.getNetwork(network).connect({ Container: c.id, EndpointConfig: { Aliases: aliases, ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}) } });
  }

  override async listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    const list = await this.manager.listNetworks({ filters: JSON.stringify({ ...JSON.parse(labelFilter(labels)), driver: ['overlay'] }) });
    return list.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
  }

  /** The lab's overlay: attachable (its gateway and agents join it), internal (nothing in it reaches out), on its own subnet. */
  override async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    const subnet = this.t.swarm?.subnet ?? '10.214.0.0/24';
    // The same project up on this machine's engine has a bridge of that name: one engine at a time.
    const project = { [LABEL.project]: this.t.project };
    const local = (await this.manager.listNetworks({ filters: JSON.stringify({ ...JSON.parse(labelFilter(project)), driver: ['bridge'] }) })).find(
      (n) => n.Name === name,
    );
    if (local)
      throw new EnvironmentError(`${this.t.project} runs on this machine's Docker engine already (its network ${name} is there).`, {
        hint: `Take it down first (lab down, without --engine swarm), or give the swarm's sandbox a project of its own (x-lab.project).`,
      });
    log('swarm', `create overlay ${name}`, { subnet });
    try {
      const n = await this.manager.createNetwork({
        Name: name,
        Driver: 'overlay',
        Attachable: true,
        Internal: true,
        Labels: labels,
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
      } as never);
      return n.id;
    } catch (err) {
      if (/overlap|Pool overlaps/i.test((err as Error).message))
        throw new EnvironmentError(`the overlay's subnet ${subnet} overlaps a network this swarm has already.`, {
          hint: 'Choose a free one under x-lab.swarm.subnet in the topology (docker network inspect lists the subnets in use).',
          cause: err,
        });
      throw err;
    }
  }

  /** The overlay goes last: the gateway and any agent left first, then it, then the images the lab copied to the nodes. */
  override async removeNetwork(id: string): Promise<void> {
    const mine = await this.manager.listContainers({ all: true, filters: labelFilter({ [LABEL.project]: this.t.project }) });
    await Promise.allSettled(
      mine
        .filter((c) => c.Labels[LABEL.role] === 'gateway' || c.Labels[LABEL.role] === 'agent')
        .map((c) => this.manager.getContainer(c.Id).remove({ force: true })),
    );
    this.onOverlayRemoved();
    await super.removeNetwork(id);
    // The swarm forgets a network a moment after it said so: `lab down` returns when it is gone.
    for (let i = 0; i < 40 && (await this.manager.listNetworks({ filters: JSON.stringify({ id: [id] }) })).some((n) => n.Id === id); i++) await sleep(250);
    const removed = await this.copies.removeCopies();
    if (removed.length) log('swarm', 'removed the images the lab had copied', { removed });
  }
}

/** A task's state as a container's: starting ones are created, ended ones exited; paused is read from its node. */
function stateOf(task: Task | undefined, containerStates: Map<string, ContainerState>): ContainerState {
  if (!task) return 'created';
  const cid = task.Status.ContainerStatus?.ContainerID;
  if (cid && containerStates.has(cid)) return containerStates.get(cid)!;
  if (task.Status.State === 'running') return 'running';
  return TERMINAL.has(task.Status.State) ? 'exited' : 'created';
}

/** The task's address in the lab's overlay (the first attachment's). */
function taskIp(task: Task | undefined): string | undefined {
  const a = task?.NetworksAttachments?.find((n) => n.Addresses?.length)?.Addresses?.[0];
  return a?.split('/')[0];
}
