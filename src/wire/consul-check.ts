// The gRPC health check each echo server registers with Consul, as both sides must know it: the echo
// writes it, and `up` waits out what it implies.

/** How long Consul waits for one run of the check before it counts as critical. */
export const CONSUL_CHECK_TIMEOUT_MS = 1000;

/**
 * How long a registration must stay passing before `up` calls an echo started again ready. Consul
 * (1.8) keeps a check's id across a registration of the same service id, and a run of the old
 * registration's check that was in flight when the new one arrived (a dial to the container that is
 * gone, up to the check's timeout) still writes its result: the new server showed critical for up to
 * a second after `up` had seen it passing, and a DNS client resolving then never saw it.
 */
export const CONSUL_STALE_CHECK_HOLD_MS = CONSUL_CHECK_TIMEOUT_MS + 200;
