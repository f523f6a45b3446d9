// A Docker Swarm this machine's engine manages, as an engine: its runtime runs each container as a
// service of one task; the lab's own calls reach the overlay through a gateway container (nothing in
// the overlay is published); traffic clients run as agents in the overlay, where the backends are.
import Docker from 'dockerode';
import { Gateway, getRuntime, resolveImage, sayWhenDockerIsGone, SwarmRuntime } from '../sandbox/index.js';
import { AgentClientSet } from './agent-clients.js';
import type { Engine, EngineTopology } from './engine.js';

export function swarmEngine(t: EngineTopology): Engine {
  const manager = new Docker();
  // The agent image (assembled on demand) runs both the gateway and the clients.
  const agentImage = () => resolveImage(getRuntime(), { ref: 'lab/agent', assemble: 'agent', pull: false });
  const runtime = sayWhenDockerIsGone(new SwarmRuntime(manager, t, () => gw.forget()));
  const gw = new Gateway(manager, {
    project: t.project,
    network: t.network,
    image: agentImage,
    env: { LAB_ETCD: t.etcd.hostAddress, LAB_ETCD_PREFIX: t.registration.etcdPrefix, LAB_CONSUL: t.consul.hostAddress },
    addressOf: (host) => runtime.addressOf(host),
  });
  return {
    runtime,
    reach: (address) =>
      address
        .split(',')
        .map((a) => gw.reach(a))
        .join(','),
    clients: (opts) => new AgentClientSet(manager, { project: t.project, network: t.network, image: agentImage }, opts),
    close: () => gw.close(),
  };
}
