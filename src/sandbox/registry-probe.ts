// Host-side reads of the registries, for `lab status` and tests: what etcd and Consul hold now.
// etcd is read through its JSON gateway (the v3 API over HTTP) with short timeouts.

export interface EtcdEntry {
  key: string;
  value: string;
  lease: string;
  /** Seconds left on the lease; undefined when the key has no lease. */
  ttl?: number;
}

/** POST to etcd's JSON gateway. `etcdHosts` may list a cluster's members ("a:2379,b:2379"): each is tried in turn. */
export async function etcdPost<T>(etcdHosts: string, path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  let last: unknown;
  for (const host of etcdHosts.split(',')) {
    try {
      const res = await fetch(`http://${host}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status}`);
      return (await res.json()) as T;
    } catch (err) {
      if (signal?.aborted) throw err;
      last = err;
    }
  }
  throw last;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** Every key under `prefix`, with its lease's remaining TTL. */
export async function etcdEntries(etcdHost: string, prefix: string, timeoutMs = 1000): Promise<EtcdEntry[]> {
  // range_end = prefix with its last byte incremented: every key that starts with prefix.
  const end = Buffer.from(prefix);
  end[end.length - 1]++;
  const r = await etcdPost<{ kvs?: Array<{ key: string; value: string; lease?: string }> }>(
    etcdHost,
    '/v3/kv/range',
    { key: b64(prefix), range_end: end.toString('base64') },
    timeoutMs,
  );
  return Promise.all(
    (r.kvs ?? []).map(async (kv) => {
      const lease = kv.lease ?? '0';
      let ttl: number | undefined;
      if (lease !== '0') {
        const t = await etcdPost<{ TTL?: string }>(etcdHost, '/v3/lease/timetolive', { ID: lease }, timeoutMs).catch(() => undefined);
        ttl = t?.TTL === undefined ? undefined : Number(t.TTL);
      }
      return { key: unb64(kv.key), value: kv.value ? unb64(kv.value) : '', lease: lease === '0' ? '' : BigInt(lease).toString(16), ttl };
    }),
  );
}

export interface ConsulInstance {
  id: string;
  address: string;
  port: number;
  meta: Record<string, string>;
  checks: Array<{ id: string; status: string; output: string }>;
}

/** What Consul's health endpoint lists for a service (all instances, passing or not). */
export async function consulInstances(consulHost: string, service: string, timeoutMs = 1000): Promise<ConsulInstance[]> {
  const res = await fetch(`http://${consulHost}/v1/health/service/${encodeURIComponent(service)}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`consul: HTTP ${res.status}`);
  const list = (await res.json()) as Array<{
    Service: { ID: string; Address: string; Port: number; Meta?: Record<string, string> };
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
