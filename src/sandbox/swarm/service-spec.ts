// A container the lab plans (ContainerSpec) as a Swarm service of one task: the same image (by id,
// so no node ever asks a registry), command, environment, labels, least privilege and scratch space;
// on the lab's overlay under the same aliases; never restarted by the swarm (a killed backend stays
// dead until the lab starts it, as on one engine); its task's own address in DNS (no virtual IP, so a
// dead backend is gone at once); placed by zone on nodes labelled lab.zone, the rest on the manager.
import type Docker from 'dockerode';
import type { ContainerSpec } from '../runtime/container-runtime.js';

export const ZONE_LABEL = 'lab.zone';

export function placementOf(spec: ContainerSpec): string[] {
  return spec.zone ? [`node.labels.${ZONE_LABEL}==${spec.zone}`] : ['node.role==manager'];
}

/** Named volumes in place of anonymous ones: a task started again keeps its data (etcd's), as a restarted container does. */
export const volumeName = (service: string, target: string) => `${service}${target.replace(/[^A-Za-z0-9]+/g, '-')}`.replace(/-$/, '');

export function serviceSpecOf(spec: ContainerSpec, networkId: string, imageId: string): Docker.CreateServiceOptions {
  const tmpfs = Object.keys(spec.tmpfs).map((target) => ({
    Type: 'tmpfs' as const,
    Target: target,
    TmpfsOptions: { SizeBytes: 256 * 1024 * 1024, Mode: 0o1777 },
  }));
  const volumes = spec.volumes.map((target) => ({
    Type: 'volume' as const,
    Source: volumeName(spec.name, target),
    Target: target,
    VolumeOptions: { Labels: spec.labels },
  }));
  return {
    Name: spec.name,
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: imageId,
        Labels: spec.labels,
        ...(spec.entrypoint ? { Command: spec.entrypoint } : {}),
        ...(spec.command ? { Args: spec.command } : {}),
        Hostname: spec.hostname,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        User: spec.user,
        ReadOnly: spec.readOnlyRootfs,
        Init: spec.init,
        Mounts: [...tmpfs, ...volumes],
        CapabilityDrop: ['ALL'],
        // The echo deregisters on SIGTERM within a second or two.
        StopGracePeriod: 3_000_000_000,
      },
      ...(spec.memoryBytes ? { Resources: { Limits: { MemoryBytes: spec.memoryBytes } } } : {}),
      RestartPolicy: { Condition: 'none' },
      Placement: { Constraints: placementOf(spec) },
      Networks: [{ Target: networkId, Aliases: spec.aliases }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
  } as unknown as Docker.CreateServiceOptions;
}
