// What "ready" means for each role: etcd healthy, Consul with a leader, an echo server SERVING
// and registered in both etcd and Consul.
import type { InstanceSpec, Topology } from '../topology/index.js';
import { CONSUL_STALE_CHECK_HOLD_MS } from '../wire/index.js';
import type { RegistrySnapshot } from './registry/registry-snapshot.js';
import { grpcHealthWait } from './wait/grpc-health-wait.js';
import { consulLeaderWait, etcdHealthWait } from './wait/http-wait.js';
import { consulPassingWait, etcdKeyWait } from './wait/registry-wait.js';
import { allOf, notReady, READY, type WaitStrategy } from './wait/wait-strategy.js';

/** Not ready until `ms` from now. */
function afterWait(ms: number, what: string): WaitStrategy {
  const until = Date.now() + ms;
  return { what, probe: async () => (Date.now() >= until ? READY : notReady(`waiting ${until - Date.now()} ms more for ${what}`)) };
}

/** Ready once the health service answers at all (SERVING or not): the process is up and listening. */
function answersWait(health: WaitStrategy): WaitStrategy {
  return {
    what: health.what.replace(/^gRPC health/, 'a gRPC health answer'),
    async probe(signal) {
      const r = await health.probe(signal);
      return r.ready || /^(NOT_SERVING|SERVICE_UNKNOWN)$/.test(r.reason) ? READY : notReady(r.reason);
    },
    close: () => health.close?.(),
  };
}

export const etcdKeyOf = (t: Topology, inst: InstanceSpec) => `${t.registration.etcdPrefix.replace(/\/$/, '')}/${inst.service}/${inst.name}`;

/**
 * An echo registered before (started again, or replaced) must stay passing a little while: see
 * CONSUL_STALE_CHECK_HOLD_MS. `registries` is read by every echo's wait (the caller owns it and closes its etcd reader); `reach`
 * gives the address this process dials for one of the sandbox's (rt.reach: the same on one engine).
 */
export function readinessOf(
  t: Topology,
  inst: InstanceSpec,
  registries: RegistrySnapshot,
  reach: (address: string) => string = (a) => a,
  /** The echo had a Consul registration before this start (a container started again or replaced). */
  opts: { registeredBefore?: boolean; settleMs?: number } = {},
): { strategy: WaitStrategy; timeoutMs: number } {
  switch (inst.role) {
    case 'etcd':
      return { strategy: etcdHealthWait(reach(inst.hostAddress)), timeoutMs: 30_000 };
    case 'consul':
      return { strategy: consulLeaderWait(reach(inst.hostAddress)), timeoutMs: 30_000 };
    case 'echo':
      return {
        // Registered first (read from snapshots every wait shares), then its own health: an echo
        // registers once it serves, so no probe dials a server still starting.
        strategy: allOf(
          `${inst.name} healthy and registered`,
          etcdKeyWait(registries, etcdKeyOf(t, inst)),
          consulPassingWait(registries, inst.service, inst.name, opts.registeredBefore ? CONSUL_STALE_CHECK_HOLD_MS : 0),
          grpcHealthWait(reach(inst.hostAddress)),
        ),
        timeoutMs: 45_000,
      };
    case 'proxy':
      // Ready when a gRPC health check through its L7 frontend reaches an echo server (and so
      // when HAProxy has resolved the backends through Docker's DNS and found one healthy).
      return { strategy: grpcHealthWait(reach(t.proxy?.l7 ?? inst.hostAddress)), timeoutMs: 45_000 };
    case 'xds':
      // SERVING once it has read the registry (its first endpoints), so clients get a full EDS at once.
      return { strategy: grpcHealthWait(reach(inst.hostAddress)), timeoutMs: 30_000 };
    case 'sidecar':
      // Its health service answers (NOT_SERVING: its server starts after it, in its network
      // namespace, and the pair is awaited as the server). A sidecar that fails shows as itself.
      return { strategy: answersWait(grpcHealthWait(reach(inst.controlAddress))), timeoutMs: 30_000 };
    case 'server':
      // The sidecar's health service says SERVING once its probe of the server is answered; the
      // sidecar registers it in etcd then, and in Consul, whose own check must pass too.
      return {
        strategy: allOf(
          `${inst.name} answering and registered`,
          ...(opts.settleMs ? [afterWait(opts.settleMs, 'its sidecar’s next probe')] : []),
          etcdKeyWait(registries, etcdKeyOf(t, inst)),
          consulPassingWait(registries, inst.service, inst.name, opts.registeredBefore ? CONSUL_STALE_CHECK_HOLD_MS : 0),
          grpcHealthWait(reach(inst.controlAddress)),
        ),
        timeoutMs: 45_000,
      };
  }
}
