// The balancers users can name: grpc-js's own and the lab's (each lab balancer adds itself when its
// setup() runs), each with where it comes from and a line for --help and the README. A lab balancer
// may not take a name grpc-js or grpc-js-xds registers (the last to register would win).
import { experimental } from '@grpc/grpc-js';
import { GRPC_JS_XDS_BALANCERS, type Origin } from '../origin.js';

const GRPC_JS: Record<string, string> = {
  pick_first: 'the first address that connects takes every call (`shuffleAddressList: true` shuffles the list first, gRFC A62)',
  round_robin: 'every READY backend in turn',
  weighted_round_robin:
    "weights from ORCA load reports (gRFC A58). The lab's defaults: reports out of band every 1 s (the echo servers serve them), blackout 1 s; grpc-js's own are per-call reports and a 10 s blackout",
  outlier_detection: 'ejects backends that fail, over a child policy (round_robin by default; gRFC A50)',
};

const lab = new Map<string, string>();

export function describeBalancer(name: string, description: string): void {
  if (GRPC_JS[name] || GRPC_JS_XDS_BALANCERS.includes(name) || (!lab.has(name) && experimental.isLoadBalancerNameRegistered(name)))
    throw new Error(`a lab balancer cannot be named ${name}: grpc-js or grpc-js-xds registers that name`);
  lab.set(name, description);
}

/** The lab's own balancers, name → what it does. */
export function labBalancers(): ReadonlyMap<string, string> {
  return lab;
}

/** Every name `--lb` takes, grpc-js's first. */
export function knownBalancers(): string[] {
  return [...Object.keys(GRPC_JS), ...lab.keys()];
}

export function balancerDescription(name: string): string | undefined {
  return GRPC_JS[name] ?? lab.get(name);
}

/** Where a balancer comes from (undefined: not one the lab knows). */
export function balancerOrigin(name: string): Origin | undefined {
  if (GRPC_JS[name]) return 'grpc-js';
  if (lab.has(name)) return 'lab';
  if (GRPC_JS_XDS_BALANCERS.includes(name)) return 'grpc-js-xds';
  return undefined;
}
