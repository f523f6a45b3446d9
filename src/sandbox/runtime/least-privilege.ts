// What every container the lab starts runs with: no capabilities, no privilege gained later, and
// never restarted by the engine (a killed backend stays dead until a step starts it).
import type Docker from 'dockerode';

export const LEAST_PRIVILEGE: Pick<Docker.HostConfig, 'CapDrop' | 'SecurityOpt' | 'RestartPolicy'> = {
  CapDrop: ['ALL'],
  SecurityOpt: ['no-new-privileges'],
  RestartPolicy: { Name: 'no' },
};

/** The lab's own helper containers (a swarm's agents and gateway): as nobody, a read-only root, a small /tmp. */
export const HELPER_USER = '65534:65534';
export const HELPER_HOST_CONFIG: Docker.HostConfig = {
  Init: true,
  ReadonlyRootfs: true,
  Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
  ...LEAST_PRIVILEGE,
};
