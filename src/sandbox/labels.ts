// Every container and network the lab makes carries these labels; `down` and reaping select by them.
export const LABEL = {
  project: 'dev.lab.project',
  session: 'dev.lab.session',
  service: 'dev.lab.service',
  instance: 'dev.lab.instance',
  role: 'dev.lab.role',
  configHash: 'dev.lab.config-hash',
  hostAddress: 'dev.lab.host-address',
} as const;

export const projectSelector = (project: string) => ({ [LABEL.project]: project });

/** A Docker API `filters` value selecting by these labels (all of them). */
export const labelFilter = (labels: Record<string, string>) => JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
