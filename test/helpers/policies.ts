// Drives a balancing policy directly on a fake set of READY endpoints, without a channel.
import { Metadata } from '@grpc/grpc-js';
import type { EndpointState, PickPolicy, PolicyDefinition } from '../../src/traffic/balancers/endpoint-balancer.js';

export function endpoints(weights: number[]): EndpointState[] {
  return weights.map((weight, i) => ({ address: `10.0.0.${i + 1}:50051`, weight, inFlight: 0, policy: {} }));
}

export function policyOf<T extends object>(def: PolicyDefinition<T>, json: Record<string, unknown> = {}): PickPolicy {
  return def.make(def.parse(json));
}

export function pickArgs(md: Record<string, string> = {}) {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  return { metadata, extraPickInfo: {} };
}

/** Shares of `n` picks per endpoint index. */
export function shares(policy: PickPolicy, ready: EndpointState[], n: number, args = () => pickArgs()): number[] {
  policy.rebuild?.(ready);
  const counts = ready.map(() => 0);
  for (let i = 0; i < n; i++) counts[policy.choose(ready, args())]++;
  return counts.map((c) => c / n);
}
