// Ready when a backend is registered: its etcd key exists, or its Consul check is passing. Both read
// a snapshot shared by every wait of an `up` (registry-snapshot.ts).
import type { RegistrySnapshot } from '../registry/registry-snapshot.js';
import { READY, notReady, type WaitStrategy } from './wait-strategy.js';

const parentOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);

export const etcdKeyWait = (registries: RegistrySnapshot, key: string): WaitStrategy => ({
  what: `etcd key ${key}`,
  async probe() {
    return (await registries.etcdKeys(parentOf(key))).has(key) ? READY : notReady('not registered yet');
  },
});

export const consulPassingWait = (registries: RegistrySnapshot, service: string, id: string): WaitStrategy => ({
  what: `Consul check of ${id}`,
  async probe(signal) {
    const mine = (await registries.consulChecks(service, signal)).filter((c) => c.ServiceID === id);
    if (!mine.length) return notReady('not registered yet');
    const bad = mine.find((c) => c.Status !== 'passing');
    return bad ? notReady(`check ${bad.Status}`) : READY;
  },
});
