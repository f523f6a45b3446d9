// Ready when a backend is registered: its etcd key exists, or its Consul check is passing.
import type { EtcdReader } from '../registry/etcd-reader.js';
import { READY, notReady, type WaitStrategy } from './wait-strategy.js';

/** Through the caller's etcd reader (one client for every wait of an `up`). */
export const etcdKeyWait = (etcd: EtcdReader, key: string): WaitStrategy => ({
  what: `etcd key ${key}`,
  async probe() {
    return (await etcd.has(key)) ? READY : notReady('not registered yet');
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
