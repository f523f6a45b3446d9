// The traffic engine: resolvers and balancers registered with grpc-js (setup(), called once from
// the lab's setup), and the driver. Callers outside src/traffic import from here only.
import { setup as setupBalancers } from './balancers/index.js';
import { setup as setupResolvers } from './resolvers/index.js';

/** Registers the lab's resolvers and balancers with grpc-js; idempotent. */
export function setup(): void {
  setupResolvers();
  setupBalancers();
}

export { TrafficClient, type TrafficClientSpec, type CallKind } from './driver/traffic-client.js';
export { ClientSet } from './driver/client-set.js';
export { serviceConfigFrom, validateServiceConfig, type ServiceConfigJson } from './driver/service-config.js';
export { CallStats } from './driver/stats.js';
export { sandboxResolverOptions } from './resolvers/lab-options.js';
export { knownBalancers, labBalancers, balancerDescription } from './balancers/index.js';
export { byBackendName, shareLine, sharesOf } from './shares.js';
export { knowScheme, knownSchemes, targetProblem } from './targets.js';
export { metadataProblem } from './metadata.js';
export type { TrafficEvent, TrafficListener, BucketStats } from './events.js';
