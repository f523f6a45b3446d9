// The traffic engine: resolvers and balancers registered with grpc-js (setup(), called once from
// the lab's setup), and the driver. Callers outside src/traffic import from here only.
import { setup as setupBalancers } from './balancers/index.js';
import { setup as setupResolvers } from './resolvers/index.js';
import { knowScheme } from './targets.js';

/** Registers the lab's resolvers and balancers with grpc-js; idempotent. */
export function setup(): void {
  setupResolvers();
  setupBalancers();
  // xds: is registered when first dialled (src/traffic/xds.ts); targets know it from the start.
  knowScheme('xds', (path) => (path.replace(/^\//, '') ? undefined : 'name the listener: xds:///echo'), 'grpc-js-xds');
}

export { TrafficClient, type TrafficClientSpec, type CallKind, type ClientSummary } from './driver/traffic-client.js';
export { ClientSet, type ClientSetOptions, type TrafficClients } from './driver/client-set.js';
export { maxAttemptsOf, serviceConfigFrom, validateServiceConfig, MAX_ATTEMPTS_LIMIT, type ServiceConfigJson } from './driver/service-config.js';
export { CallStats } from './driver/stats.js';
export { sandboxResolverOptions } from './resolvers/lab-options.js';
export {
  knownBalancers,
  labBalancers,
  balancerDescription,
  balancerOrigin,
  pickPolicyFor,
  type PickPolicy,
  type EndpointState,
  type CallOutcome,
} from './balancers/index.js';
export { ENDPOINT_ATTRIBUTES, attributesOf, weightOf } from './resolvers/endpoint-attributes.js';
export { byBackendName, shareLine, sharesOf } from './shares.js';
export { knowScheme, knownSchemes, parseTarget, schemeOrigin, serviceOfTarget, targetProblem, type TargetParts } from './targets.js';
export { balancerLabel, resolverLabel, withOrigin } from './labels.js';
export { GRPC_JS_XDS_BALANCERS, ORIGIN_WORDS, originTag, type Origin } from './origin.js';
export { metadataProblem } from './metadata.js';
export { isXdsTarget, registerXdsClient, xdsBootstrap, xdsChannelOptions, XDS_BOOTSTRAP_OPTION, type XdsBootstrapOptions, type XdsModules } from './xds.js';
export type { TrafficEvent, TrafficListener, BucketStats } from './events.js';
export { ServedWatcher, type ServedSource, type ServedWatcherOptions } from './served/served-watcher.js';
export { CALL_ID_HEADER, CLIENT_HEADER } from '../wire/index.js';
export type { TrafficOnTheWire } from './on-the-wire.js';
