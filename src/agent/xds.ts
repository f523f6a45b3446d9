// An agent whose client dials xds:///: grpc-js-xds, imported here so that the agent's bundle holds it
// (the lab loads it on demand from node_modules, which an image does not have). Loaded only then: it
// brings RE2 as WebAssembly (re2.wasm, copied beside the bundle) and many protos.
import { registerXdsClient, type XdsModules } from '../traffic/index.js';

export async function registerBundledXds(): Promise<void> {
  const [xds, priority] = await Promise.all([import('@grpc/grpc-js-xds'), import('@grpc/grpc-js-xds/build/src/load-balancer-priority.js')]);
  registerXdsClient({ xds, priority: priority as unknown as XdsModules['priority'] });
}
