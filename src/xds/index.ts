// The lab's side of its xDS control plane: the client of its XdsControl service, each xDS client's
// node id, and the bootstrap users give their own clients. The control plane itself is src/control-plane
// (bundled alone into the lab/xds image).
export { XdsControl, type XdsStatus } from './control.js';
export { XdsWatcher, xdsViewOf, type XdsEvent, type XdsClientView } from './watcher.js';
export { xdsNodeId, userBootstrap, xdsOptionsFor } from './bootstrap.js';
export type { XdsPolicy, HealthStatus } from '../wire/index.js';
