// `lab down`: removes every container and network carrying the project's label, and nothing else.
import { bulkhead } from 'cockatiel';
import type { SandboxListener } from './events.js';
import { LABEL, projectSelector } from './labels.js';
import { PING_TIMEOUT_MS, type ContainerRuntime } from './runtime/container-runtime.js';
import { forgetShape } from './shape.js';

/** Containers removed at once. */
const REMOVE_SLOTS = 16;

export interface DownResult {
  containers: string[];
  networks: string[];
  ms: number;
}

export async function down(rt: ContainerRuntime, project: string, onEvent: SandboxListener = () => undefined): Promise<DownResult> {
  const started = Date.now();
  await rt.ping(PING_TIMEOUT_MS);
  const containers = await rt.listContainers(projectSelector(project));
  // Force removal (SIGKILL): the registries go with the backends, so a graceful deregister buys nothing.
  // A few at a time: Docker works through them one by one anyway, and a hundred removals at once
  // could leave it counting an endpoint that is gone (the network then cannot be removed).
  const slots = bulkhead(REMOVE_SLOTS, Infinity);
  await Promise.all(
    containers.map((c) =>
      slots.execute(async () => {
        await rt.removeContainer(c.id);
        onEvent({ type: 'instance', instance: c.labels[LABEL.instance] ?? c.name, state: 'removed' });
      }),
    ),
  );
  const networks = await rt.listNetworks(projectSelector(project));
  await Promise.all(
    networks.map(async (n) => {
      await rt.removeNetwork(n.id);
      onEvent({ type: 'network', name: n.name, state: 'removed' });
    }),
  );
  forgetShape(project);
  return { containers: containers.map((c) => c.name), networks: networks.map((n) => n.name), ms: Date.now() - started };
}
