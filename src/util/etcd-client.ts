// One way for the lab's long-lived etcd clients (an echo's registration, the etcd resolver, the xDS
// control plane's etcd source) to open etcd.
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { ETCD_KEEPALIVE_MS, ETCD_SINGLE_MEMBER_KEEPALIVE_MS } from './etcd-keepalive.js';

/**
 * Hosts as given ("name:2379" or "http://name:2379"). With more than one member, gRPC keepalive
 * pings every second (etcd-keepalive.ts), so a stream on a dead member moves to a live one. With one
 * member they ping every 10 s: there is nowhere to move, but a connection that died without an RST
 * (a cut network, a frozen etcd) must still be found and replaced, or a watch or a lease's keepalive
 * waits on it for good; at a second, a hundred echo servers pinging it cost ~5% of a core.
 */
export function openEtcd(hosts: string[]): Etcd3 {
  const every = hosts.length > 1 ? ETCD_KEEPALIVE_MS : ETCD_SINGLE_MEMBER_KEEPALIVE_MS;
  const keepalive = { 'grpc.keepalive_time_ms': every, 'grpc.keepalive_timeout_ms': Math.min(every, 5000) };
  return new Etcd3({
    // dns:/// spelled out: in a process that registers the lab's etcd: resolver, grpc-js would read
    // a member named etcd (etcd:2379, on a swarm) as that scheme. etcd3 strips only the http://.
    hosts: hosts.map((h) => (h.includes('://') ? h : `http://dns:///${h}`)),
    dialTimeout: 2000,
    // The callers retry with their own backoff (capped at 1–2 s); etcd3's circuit breaker (open 5 s
    // after 3 failures) on top would hold them back for up to 5 s more once etcd is back.
    faultHandling: { host: () => noop, global: noop },
    grpcOptions: keepalive,
  });
}
