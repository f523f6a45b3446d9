// Host-side reads of Consul's catalog, for `lab status`, the view and tests.
import type { ConsulMetaRecord } from '../../wire/index.js';

export interface ConsulInstance {
  id: string;
  address: string;
  port: number;
  meta: ConsulMetaRecord;
  checks: Array<{ id: string; status: string; output: string }>;
}

/** What Consul's health endpoint lists for a service (all instances, passing or not). */
export async function consulInstances(consulHost: string, service: string, timeoutMs = 1000): Promise<ConsulInstance[]> {
  const res = await fetch(`http://${consulHost}/v1/health/service/${encodeURIComponent(service)}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`consul: HTTP ${res.status}`);
  const list = (await res.json()) as Array<{
    Service: { ID: string; Address: string; Port: number; Meta?: ConsulMetaRecord };
    Checks: Array<{ CheckID: string; ServiceID: string; Status: string; Output: string }>;
  }>;
  return list.map((e) => ({
    id: e.Service.ID,
    address: e.Service.Address,
    port: e.Service.Port,
    meta: e.Service.Meta ?? {},
    checks: e.Checks.filter((c) => c.ServiceID === e.Service.ID).map((c) => ({ id: c.CheckID, status: c.Status, output: c.Output })),
  }));
}
