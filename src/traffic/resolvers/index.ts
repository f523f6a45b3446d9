// The lab's resolvers (etcd:, consul:), one file each, ending in setup(); the list is generated
// (plugins.generated.ts). grpc-js's own stay usable: dns: (against Consul's DNS interface with
// dns://<consul>:8600/<name>:<port>) and static ipv4: lists.
import { setups } from './plugins.generated.js';

let done = false;

/** Registers every resolver with grpc-js, once. */
export function setup(): void {
  if (done) return;
  done = true;
  for (const s of setups) s();
}
