// Ready when a backend is registered: its etcd key exists, or its Consul check is passing.
import { etcdPost } from '../registry-probe.js';
import { READY, notReady, type WaitStrategy } from './wait-strategy.js';

/** Through etcd's JSON gateway (v3 API over HTTP), so waiting needs no extra gRPC channel. */
export const etcdKeyWait = (etcdHost: string, key: string): WaitStrategy => ({
  what: `etcd key ${key}`,
  async probe(signal) {
    const body = await etcdPost<{ count?: string }>(etcdHost, '/v3/kv/range', { key: Buffer.from(key).toString('base64'), count_only: true }, 2000, signal);
    return Number(body.count ?? 0) > 0 ? READY : notReady('not registered yet');
  },
});

export const consulPassingWait = (consulHost: string, service: string, id: string): WaitStrategy => ({
  what: `Consul check of ${id}`,
  async probe(signal) {
    const res = await fetch(`http://${consulHost}/v1/health/checks/${encodeURIComponent(service)}`, { signal });
    const checks = (await res.json()) as Array<{ ServiceID: string; Status: string }>;
    const mine = checks.filter((c) => c.ServiceID === id);
    if (!mine.length) return notReady('not registered yet');
    const bad = mine.find((c) => c.Status !== 'passing');
    return bad ? notReady(`check ${bad.Status}`) : READY;
  },
});
