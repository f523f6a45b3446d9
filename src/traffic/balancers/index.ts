// The lab's balancers: one file each, ending in setup() (grpc-js's convention); the list of files
// is generated (plugins.generated.ts), so adding a balancer is adding its file.
import { setups } from './plugins.generated.js';

let done = false;

/** Registers every balancer with grpc-js, once. */
export function setup(): void {
  if (done) return;
  done = true;
  for (const s of setups) s();
}

export { knownBalancers, labBalancers, balancerDescription, balancerOrigin } from './catalog.js';
export { pickPolicyFor, type PickPolicy, type EndpointState, type CallOutcome } from './endpoint-balancer.js';
