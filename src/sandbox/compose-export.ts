// The lab's containers as a plain Compose file (one service per container, every setting explicit),
// for `lab config --expanded` and for the benchmark's docker-compose yardstick.
import { stringify } from 'yaml';
import type { Topology } from '../topology/index.js';
import { planContainer } from './container-plan.js';

export function expandedCompose(t: Topology, images: Map<string, string>, project = t.project): string {
  const services: Record<string, unknown> = {};
  for (const inst of t.instances) {
    const spec = planContainer(t, inst, images.get(inst.name) ?? inst.image.ref, 'compose');
    // A server of yours joins its sidecar's network namespace: no hostname, ports or networks of its own.
    const joined = inst.joins ? { network_mode: `service:${inst.joins}`, depends_on: [inst.joins] } : undefined;
    services[inst.name] = {
      image: spec.image,
      container_name: `${project}-${inst.name}`,
      ...(joined ? {} : { hostname: spec.hostname }),
      ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
      ...(spec.command ? { command: spec.command } : {}),
      environment: spec.env,
      labels: { ...spec.labels, 'dev.lab.project': project },
      ...(joined ? {} : { ports: spec.ports.map((p) => `${p.hostIp}:${p.hostPort}:${p.containerPort}/${p.protocol}`) }),
      init: spec.init,
      ...(spec.user ? { user: spec.user } : {}),
      read_only: spec.readOnlyRootfs,
      tmpfs: Object.entries(spec.tmpfs).map(([dir, o]) => `${dir}:${o}`),
      ...(spec.volumes.length ? { volumes: spec.volumes } : {}),
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges'],
      ...(joined ?? { networks: { default: { aliases: spec.aliases } } }),
    };
  }
  return stringify({ services, networks: { default: { name: `${project}-net`, labels: { 'dev.lab.project': project } } } }, { aliasDuplicateObjects: false });
}
