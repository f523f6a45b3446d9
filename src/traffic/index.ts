// The traffic engine: resolvers and balancers registered with grpc-js, and the driver.
import { registerBalancers } from './balancers/index.js';
import { registerResolvers } from './resolvers/index.js';

registerResolvers();
registerBalancers();

export { TrafficClient, type TrafficClientSpec, type CallKind } from './driver/traffic-client.js';
export { serviceConfigFrom, type ServiceConfigJson } from './driver/service-config.js';
export type { TrafficEvent, TrafficListener, BucketStats } from './events.js';
