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

/**
 * Ready when every check of `id` is passing; with `holdMs`, only once they have stayed passing that
 * long (what a check of an earlier registration could still write has landed by then).
 */
export const consulPassingWait = (registries: RegistrySnapshot, service: string, id: string, holdMs = 0): WaitStrategy => {
  let passingSince: number | undefined;
  return {
    what: `Consul check of ${id}`,
    async probe(signal) {
      const mine = (await registries.consulChecks(service, signal)).filter((c) => c.ServiceID === id);
      const bad = mine.find((c) => c.Status !== 'passing');
      if (!mine.length || bad) {
        passingSince = undefined;
        return notReady(bad ? `check ${bad.Status}` : 'not registered yet');
      }
      passingSince ??= performance.now();
      const held = performance.now() - passingSince;
      return held >= holdMs ? READY : notReady(`passing for ${Math.round(held)} of ${holdMs} ms (a check of its registration before may still land)`);
    },
  };
};
