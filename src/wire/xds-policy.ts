// What the control plane serves beyond the registry's endpoints: the policy the lab's `xds` pushes
// change. Pure data, JSON on the wire (lab.xds.v1.XdsControl/SetPolicy); every field has a default,
// so an empty policy is round_robin over every healthy endpoint, one locality per zone.

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'DEGRADED';

export interface XdsPolicy {
  /** The cluster's lb policy: round_robin, ring_hash, weighted_round_robin (ORCA), pick_first, or one of the lab's balancers by name (sent as a TypedStruct). */
  lb: string;
  /** Options of a lab balancer (its JSON config), or ring_hash's { minRingSize, maxRingSize }. */
  lbOptions: Record<string, unknown>;
  /** Endpoint weights by instance (echo-2: 5); unset: the weight it registered with. */
  weights: Record<string, number>;
  /** Endpoint health by instance, over what the registry says. */
  health: Record<string, HealthStatus>;
  /** Localities are the echo servers' zones: their weight (default 1) and priority (default 0: failover goes to 1, 2, ...). */
  localities: Record<string, { weight?: number; priority?: number }>;
  /** A canary: subsets of the echo servers, each its own cluster, and the route's weights over them. */
  split?: { subsets: Record<string, string[]>; weights: Record<string, number> };
  /** The route's retry policy (gRPC retries through xDS, A44). */
  retry?: { on: string[]; numRetries: number; baseIntervalMs?: number; maxIntervalMs?: number };
  /** The route's hash policy: the request header ring_hash hashes on. */
  hashHeader?: string;
  /** The cluster's outlier detection (gRPC A50: success rate and failure percentage ejection). */
  outlierDetection?: {
    intervalMs?: number;
    baseEjectionTimeMs?: number;
    maxEjectionTimeMs?: number;
    maxEjectionPercent?: number;
    failurePercentage?: { threshold: number; enforcementPercentage?: number; minimumHosts?: number; requestVolume?: number };
    successRate?: { stdevFactor?: number; enforcementPercentage?: number; minimumHosts?: number; requestVolume?: number };
  };
  /** The cluster's circuit breaker: calls in flight at most. */
  maxRequests?: number;
  /** The route's max_stream_duration (gRFC A31): a call's deadline is at most this, whatever the client asked. */
  timeoutMs?: number;
  /** Routes tried before the default one (gRFC A28): calls they match go to a subset's cluster, with the route's own timeout and fault. */
  routes?: RouteRule[];
  /** Per subset (of split.subsets): its cluster's circuit breaker, calls in flight at most (gRFC A32). */
  subsetMaxRequests?: Record<string, number>;
  /** The fault filter on the listener: abort a share of calls with a status, delay a share. */
  fault?: { abort?: { code: number; percent: number }; delay?: { ms: number; percent: number } };
  /** A resource type to push broken (the lab's xds-nack): clients NACK it and keep the last good one. */
  broken?: 'cluster' | 'listener';
}

/** A route before the default one: what it matches (path and headers), where its calls go, and what it does to them. */
export interface RouteRule {
  /** One of: the whole path, a prefix, a regular expression (RE2) over the path; case-insensitive with ignoreCase. */
  path?: string;
  prefix?: string;
  regex?: string;
  ignoreCase?: boolean;
  headers?: HeaderRule[];
  /** The subset its calls go to; absent: where the default route sends them. */
  subset?: string;
  timeoutMs?: number;
  fault?: XdsPolicy['fault'];
}

/** A header the route requires: exactly, by prefix or suffix, present (or absent), by regex, a number in [start, end); invert turns it around. */
export interface HeaderRule {
  name: string;
  exact?: string;
  prefix?: string;
  suffix?: string;
  present?: boolean;
  regex?: string;
  range?: { start: number; end: number };
  invert?: boolean;
}

export const DEFAULT_POLICY: XdsPolicy = { lb: 'round_robin', lbOptions: {}, weights: {}, health: {}, localities: {} };

/** A policy from JSON, with every default filled in; throws with what is wrong. */
export function policyFromJson(json: string): XdsPolicy {
  const raw = JSON.parse(json || '{}') as Partial<XdsPolicy>;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the policy is a JSON object');
  return {
    ...DEFAULT_POLICY,
    ...raw,
    lbOptions: raw.lbOptions ?? {},
    weights: raw.weights ?? {},
    health: raw.health ?? {},
    localities: raw.localities ?? {},
  };
}
