// Builds the resources the control plane serves from its policy and the registry's endpoints:
// Listener (an API listener: HttpConnectionManager with RDS, the fault filter when a fault is set,
// and the router filter), RouteConfiguration (the policy's routes, matched by path and headers, each
// to a subset's cluster with its own timeout and fault, then the default route: a cluster or weighted
// clusters; retry and hash policies), Cluster (EDS, the lb policy, outlier detection, circuit breaker, LRS) and
// ClusterLoadAssignment (a locality per zone, with weights and priorities; endpoints with health and
// weight). Typed by the Envoy v3 protos @grpc/grpc-js-xds ships (their generated types).
import { experimental } from '@grpc/grpc-js';
import type { Listener } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/listener/v3/Listener.js';
import type { RouteConfiguration } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/RouteConfiguration.js';
import type { RouteAction } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/RouteAction.js';
import type { Cluster } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/cluster/v3/Cluster.js';
import type { LoadBalancingPolicy } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/cluster/v3/LoadBalancingPolicy.js';
import type { ClusterLoadAssignment } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/endpoint/v3/ClusterLoadAssignment.js';
import type { HttpFilter } from '@grpc/grpc-js-xds/build/src/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpFilter.js';
import type { Duration } from '@grpc/grpc-js-xds/build/src/generated/google/protobuf/Duration.js';
import type { FractionalPercent } from '@grpc/grpc-js-xds/build/src/generated/envoy/type/v3/FractionalPercent.js';
import type { RouteMatch } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/RouteMatch.js';
import type { HeaderMatcher } from '@grpc/grpc-js-xds/build/src/generated/envoy/config/route/v3/HeaderMatcher.js';
import type { RouteRule, XdsPolicy } from '../wire/index.js';
import type { RegistryEndpoint } from './sources/source.js';
import { toStruct } from './struct.js';
import { CDS, CLIENT_SIDE_WRR, EDS, FAULT, HCM, LDS, RDS, ROUND_ROBIN, ROUTER, TYPED_STRUCT, WRR_LOCALITY } from './type-urls.js';

/** A resource ready for an Any: the message with its '@type' (proto-loader's json option encodes it). */
export type Typed<T> = T & { '@type': string };

export interface ResourceSet {
  LDS: Map<string, Typed<Listener>>;
  RDS: Map<string, Typed<RouteConfiguration>>;
  CDS: Map<string, Typed<Cluster>>;
  EDS: Map<string, Typed<ClusterLoadAssignment>>;
}

/** Which address an endpoint is given as: the host address (loopback) or the cluster address (the lab network). */
export type AddressView = 'host' | 'cluster';

const duration = (ms: number): Duration => ({ seconds: String(Math.floor(ms / 1000)), nanos: Math.round((ms % 1000) * 1e6) });
const percent = (p: number): FractionalPercent => ({ numerator: Math.round(p * 100), denominator: 'TEN_THOUSAND' });
const typed = (name: string, typeUrl: string, config: Record<string, unknown> = {}) => ({
  typed_extension_config: { name, typed_config: { '@type': typeUrl, ...config } },
});
const typedStruct = (policy: string, value: Record<string, unknown>) =>
  typed(policy, TYPED_STRUCT, { type_url: `type.googleapis.com/${policy}`, value: toStruct(value) });

export const routeName = (service: string) => `${service}-route`;
export const clusterName = (service: string, subset?: string) => (subset ? `${service}-${subset}` : service);

const FAULT_FILTER = 'envoy.filters.http.fault';

/**
 * The fault filter's config on the route. Always there, with every field set (0% when no fault), and
 * a trailing max_active_faults: grpc-js-xds 1.14 compares a new resource with its cached one by the
 * cached one's keys only, so a map entry that appears, or bytes that only grow at the end, would go
 * unseen and the new route would never be applied.
 */
function faultConfig(fault: XdsPolicy['fault']): Record<string, unknown> {
  const { abort, delay } = fault ?? {};
  return {
    '@type': FAULT,
    delay: { fixed_delay: duration(delay?.ms ?? 1), percentage: percent(delay?.percent ?? 0) },
    abort: { grpc_status: abort?.code ?? 14, percentage: percent(abort?.percent ?? 0) },
    max_active_faults: { value: 1_000_000 },
  };
}

/**
 * The listener is the same for every policy (but a broken one): the fault filter, idle, then the
 * router. A fault is the route's override of the filter's config (typed_per_filter_config), so it
 * travels in RDS: grpc-js-xds 1.14 applies a changed Listener only with its next route update.
 */
function listener(service: string, policy: XdsPolicy): Typed<Listener> {
  const filters: HttpFilter[] = [
    { name: FAULT_FILTER, typed_config: { '@type': FAULT } as never },
    { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } as never },
  ];
  const hcm = { '@type': HCM, rds: { route_config_name: routeName(service), config_source: { ads: {} } }, http_filters: filters };
  // A broken listener (xds-nack: listener): an API listener that is not an HttpConnectionManager.
  const api = policy.broken === 'listener' ? { '@type': ROUTER } : hcm;
  return { '@type': LDS, name: service, api_listener: { api_listener: api as never } };
}

/** The default route's action: one cluster, or weighted clusters over the subsets (a canary); the route's retry and hash policies. */
function defaultAction(service: string, policy: XdsPolicy): RouteAction {
  const action: RouteAction = policy.split
    ? {
        weighted_clusters: {
          clusters: Object.entries(policy.split.weights).map(([subset, w]) => ({ name: clusterName(service, subset), weight: { value: w } })),
        },
      }
    : { cluster: clusterName(service) };
  if (policy.retry) {
    const r = policy.retry;
    action.retry_policy = {
      retry_on: r.on.join(','),
      num_retries: { value: r.numRetries },
      ...(r.baseIntervalMs
        ? { retry_back_off: { base_interval: duration(r.baseIntervalMs), ...(r.maxIntervalMs ? { max_interval: duration(r.maxIntervalMs) } : {}) } }
        : {}),
    };
  }
  if (policy.hashHeader) action.hash_policy = [{ header: { header_name: policy.hashHeader } }];
  return action;
}

/** A rule's match: the path (whole, prefix or regex, case-sensitive unless asked) and its headers. */
function matchOf(rule: RouteRule): RouteMatch {
  const m: RouteMatch =
    rule.path !== undefined ? { path: rule.path } : rule.regex !== undefined ? { safe_regex: { regex: rule.regex } } : { prefix: rule.prefix ?? '' };
  if (rule.ignoreCase) m.case_sensitive = { value: false };
  if (rule.headers?.length)
    m.headers = rule.headers.map((h): HeaderMatcher => {
      const base: HeaderMatcher = { name: h.name, invert_match: !!h.invert };
      if (h.exact !== undefined) return { ...base, exact_match: h.exact };
      if (h.prefix !== undefined) return { ...base, prefix_match: h.prefix };
      if (h.suffix !== undefined) return { ...base, suffix_match: h.suffix };
      if (h.regex !== undefined) return { ...base, safe_regex_match: { regex: h.regex } };
      if (h.range !== undefined) return { ...base, range_match: { start: String(h.range.start), end: String(h.range.end) } };
      return { ...base, present_match: h.present ?? true };
    });
  return m;
}

function route(service: string, policy: XdsPolicy): Typed<RouteConfiguration> {
  const fallback = defaultAction(service, policy);
  const entry = (match: RouteMatch, action: RouteAction, timeoutMs: number | undefined, fault: XdsPolicy['fault']) => ({
    match,
    route: timeoutMs ? { ...action, max_stream_duration: { max_stream_duration: duration(timeoutMs) } } : action,
    typed_per_filter_config: { [FAULT_FILTER]: faultConfig(fault) as never },
  });
  const rules = (policy.routes ?? []).map((r) =>
    entry(matchOf(r), r.subset ? { cluster: clusterName(service, r.subset) } : fallback, r.timeoutMs ?? policy.timeoutMs, r.fault ?? policy.fault),
  );
  return {
    '@type': RDS,
    name: routeName(service),
    virtual_hosts: [{ name: service, domains: ['*'], routes: [...rules, entry({ prefix: '' }, fallback, policy.timeoutMs, policy.fault)] }],
  };
}

/** The lb policy as A52's custom LB config: wrr_locality over the endpoint-picking policy, in every form a client may know. */
function loadBalancingPolicy(policy: XdsPolicy): LoadBalancingPolicy {
  const name = policy.lb;
  const picking = [];
  // The lab's own clients wrap the picking policy in lab_observe (exact picks per attempt); other
  // clients do not know it and take the next entry, as A52 says.
  const inner = name === 'weighted_round_robin' ? wrrJson(policy) : { [name]: policy.lbOptions };
  picking.push(typedStruct('lab_observe', { childPolicy: [inner], resolution: false }));
  if (name === 'round_robin') picking.push(typed('round_robin', ROUND_ROBIN));
  else if (name === 'weighted_round_robin') picking.push(typed('client_side_weighted_round_robin', CLIENT_SIDE_WRR, wrrTyped(policy)));
  else picking.push(typedStruct(name, policy.lbOptions));
  return { policies: [typed('wrr_locality', WRR_LOCALITY, { endpoint_picking_policy: { policies: picking } })] };
}

const ms = (o: Record<string, unknown>, k: string, d: number) => (typeof o[k] === 'number' ? (o[k] as number) : d);
function wrrJson(policy: XdsPolicy): Record<string, unknown> {
  const o = policy.lbOptions;
  // The echo servers report ORCA out of band; grpc-js 1.14 re-parses per-call reports on every call.
  return {
    weighted_round_robin: {
      enable_oob_load_report: true,
      oob_load_reporting_period: `${ms(o, 'oobPeriodMs', 1000) / 1000}s`,
      blackout_period: `${ms(o, 'blackoutMs', 1000) / 1000}s`,
      weight_update_period: `${ms(o, 'updateMs', 500) / 1000}s`,
    },
  };
}
function wrrTyped(policy: XdsPolicy): Record<string, unknown> {
  const o = policy.lbOptions;
  return {
    enable_oob_load_report: { value: true },
    oob_reporting_period: duration(ms(o, 'oobPeriodMs', 1000)),
    blackout_period: duration(ms(o, 'blackoutMs', 1000)),
    weight_update_period: duration(ms(o, 'updateMs', 500)),
  };
}

function cluster(service: string, policy: XdsPolicy, subset?: string): Typed<Cluster> {
  const name = clusterName(service, subset);
  const c: Typed<Cluster> = { '@type': CDS, name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} }, service_name: name }, lrs_server: { self: {} } };
  if (policy.lb === 'ring_hash') {
    const o = policy.lbOptions;
    c.lb_policy = 'RING_HASH';
    c.ring_hash_lb_config = {
      hash_function: 'XX_HASH',
      minimum_ring_size: { value: String(ms(o, 'minRingSize', 1024)) },
      maximum_ring_size: { value: String(ms(o, 'maxRingSize', 8_388_608)) },
    };
  } else c.load_balancing_policy = loadBalancingPolicy(policy);
  // Always there, off when the policy has none: grpc-js-xds 1.14 sees a cluster change only in the
  // fields its cached copy has, and a cluster without outlier detection has none of them.
  const od = policy.outlierDetection;
  {
    const fp = od?.failurePercentage;
    const sr = od?.successRate;
    c.outlier_detection = {
      interval: duration(od?.intervalMs ?? 10_000),
      base_ejection_time: duration(od?.baseEjectionTimeMs ?? 30_000),
      max_ejection_time: duration(od?.maxEjectionTimeMs ?? 300_000),
      // A broken cluster (xds-nack: cluster): a percentage no client accepts.
      max_ejection_percent: { value: policy.broken === 'cluster' ? 250 : (od?.maxEjectionPercent ?? 10) },
      enforcing_success_rate: { value: sr ? (sr.enforcementPercentage ?? 100) : 0 },
      ...(sr
        ? {
            success_rate_stdev_factor: { value: sr.stdevFactor ?? 1900 },
            success_rate_minimum_hosts: { value: sr.minimumHosts ?? 5 },
            success_rate_request_volume: { value: sr.requestVolume ?? 100 },
          }
        : {}),
      ...(fp
        ? {
            failure_percentage_threshold: { value: fp.threshold },
            enforcing_failure_percentage: { value: fp.enforcementPercentage ?? 100 },
            failure_percentage_minimum_hosts: { value: fp.minimumHosts ?? 5 },
            failure_percentage_request_volume: { value: fp.requestVolume ?? 50 },
          }
        : {}),
    };
  }
  const maxRequests = (subset !== undefined ? policy.subsetMaxRequests?.[subset] : undefined) ?? policy.maxRequests;
  if (maxRequests !== undefined) c.circuit_breakers = { thresholds: [{ priority: 'DEFAULT', max_requests: { value: maxRequests } }] };
  return c;
}

/** One ClusterLoadAssignment: a locality per zone, priorities made contiguous (gRPC requires 0, 1, 2, ...). */
function assignment(name: string, endpoints: RegistryEndpoint[], policy: XdsPolicy, view: AddressView): Typed<ClusterLoadAssignment> {
  const zones = [...new Set(endpoints.map((e) => e.zone))].sort();
  const wanted = new Map(zones.map((z) => [z, policy.localities[z]?.priority ?? 0]));
  const ranks = [...new Set(wanted.values())].sort((a, b) => a - b);
  return {
    '@type': EDS,
    cluster_name: name,
    endpoints: zones.map((zone) => ({
      locality: { region: 'lab', zone },
      load_balancing_weight: { value: policy.localities[zone]?.weight ?? 1 },
      priority: ranks.indexOf(wanted.get(zone)!),
      lb_endpoints: endpoints
        .filter((e) => e.zone === zone)
        .map((e) => {
          const [host, port] = splitAddress(view === 'host' ? e.hostAddress : e.clusterAddress);
          return {
            endpoint: { address: { socket_address: { address: host, port_value: port } }, hostname: e.id },
            health_status: policy.health[e.id] ?? (e.healthy ? 'HEALTHY' : 'UNHEALTHY'),
            load_balancing_weight: { value: Math.max(1, policy.weights[e.id] ?? e.weight) },
          };
        }),
    })),
  };
}

function splitAddress(address: string): [string, number] {
  const hp = experimental.splitHostPort(address);
  return [hp?.host ?? address, hp?.port ?? 0];
}

/** Every resource the control plane serves for one view of the addresses. */
export function buildResources(service: string, policy: XdsPolicy, endpoints: RegistryEndpoint[], view: AddressView): ResourceSet {
  const set: ResourceSet = { LDS: new Map(), RDS: new Map(), CDS: new Map(), EDS: new Map() };
  set.LDS.set(service, listener(service, policy));
  set.RDS.set(routeName(service), route(service, policy));
  const subsets: Array<[string | undefined, RegistryEndpoint[]]> = [[undefined, endpoints]];
  for (const [subset, ids] of Object.entries(policy.split?.subsets ?? {})) subsets.push([subset, endpoints.filter((e) => ids.includes(e.id))]);
  for (const [subset, eps] of subsets) {
    const name = clusterName(service, subset);
    set.CDS.set(name, cluster(service, policy, subset));
    set.EDS.set(name, assignment(name, eps, policy, view));
  }
  return set;
}
