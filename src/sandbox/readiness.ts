// What "ready" means for each role: etcd healthy, Consul with a leader, an echo server SERVING
// and registered in both etcd and Consul.
import type { InstanceSpec, Topology } from '../topology/types.js';
import type { EtcdReader } from './registry/etcd-reader.js';
import { grpcHealthWait } from './wait/grpc-health-wait.js';
import { consulLeaderWait, etcdHealthWait } from './wait/http-wait.js';
import { consulPassingWait, etcdKeyWait } from './wait/registry-wait.js';
import { allOf, type WaitStrategy } from './wait/wait-strategy.js';

export const etcdKeyOf = (t: Topology, inst: InstanceSpec) => `${t.registration.etcdPrefix.replace(/\/$/, '')}/${inst.service}/${inst.name}`;

/** `etcd` reads the registry for every echo's wait (the caller owns and closes it). */
export function readinessOf(t: Topology, inst: InstanceSpec, etcd: EtcdReader): { strategy: WaitStrategy; timeoutMs: number } {
  switch (inst.role) {
    case 'etcd':
      return { strategy: etcdHealthWait(inst.hostAddress), timeoutMs: 30_000 };
    case 'consul':
      return { strategy: consulLeaderWait(inst.hostAddress), timeoutMs: 30_000 };
    case 'echo':
      return {
        strategy: allOf(
          `${inst.name} healthy and registered`,
          grpcHealthWait(inst.hostAddress),
          etcdKeyWait(etcd, etcdKeyOf(t, inst)),
          consulPassingWait(t.consul.hostAddress, inst.service, inst.name),
        ),
        timeoutMs: 45_000,
      };
    case 'proxy':
      // Ready when a gRPC health check through its L7 frontend reaches an echo server (and so
      // when HAProxy has resolved the backends through Docker's DNS and found one healthy).
      return { strategy: grpcHealthWait(t.proxy?.l7 ?? inst.hostAddress), timeoutMs: 45_000 };
    case 'xds':
      // SERVING once it has read the registry (its first endpoints), so clients get a full EDS at once.
      return { strategy: grpcHealthWait(inst.hostAddress), timeoutMs: 30_000 };
  }
}
