// How the router picks among a route's ready backends: its own round_robin and pick_first (the
// router's, not grpc-js's: grpc-js balancers live in a channel, and the router has none), or one of
// the lab's policies (wrr_smooth, least_request, ring_hash ...), whose choose() is the same code a
// lab client's channel runs.
import type { experimental } from '@grpc/grpc-js';
import { InputError } from '../errors.js';
import { labBalancers, pickPolicyFor, type EndpointState, type PickPolicy, type ServiceConfigJson } from '../traffic/index.js';

export interface RouterPolicy {
  /** What the router says it balances with: "round_robin (the router's own)", "wrr_smooth (the lab's)". */
  label: string;
  make(): PickPolicy;
}

/** The router's round_robin: a rotation over the ready backends. */
function roundRobin(): PickPolicy {
  let next = 0;
  return { choose: (ready) => next++ % ready.length };
}

/** The router's pick_first: the first ready backend in the order the resolver listed them. */
const pickFirst = (): PickPolicy => ({ choose: () => 0 });

/** The balancer a route's service config names, as the router runs it; an InputError for one it cannot. */
export function routerPolicy(serviceConfig: ServiceConfigJson): RouterPolicy {
  const first = (serviceConfig.loadBalancingConfig?.[0] ?? { round_robin: {} }) as Record<string, Record<string, unknown> | undefined>;
  const [name, options] = Object.entries(first)[0] ?? ['round_robin', {}];
  if (name === 'round_robin') return { label: "round_robin (the router's own)", make: roundRobin };
  if (name === 'pick_first') return { label: "pick_first (the router's own)", make: pickFirst };
  const lab = [...labBalancers().keys()];
  if (!lab.includes(name))
    throw new InputError(
      `the router balances with round_robin, pick_first or a balancer of the lab's (${lab.join(', ')}); "${name}" runs only in a client's channel`,
      {
        hint: 'Give the route one of those (SERVICE=TARGET@round_robin), or dial the target from the client with --lb.',
      },
    );
  let probe: PickPolicy | undefined;
  try {
    probe = pickPolicyFor(name, options ?? {});
  } catch (err) {
    throw new InputError(`the router's balancer ${(err as Error).message}`);
  }
  if (!probe)
    throw new InputError(`"${name}" wraps a channel's balancer; the router has no channel to wrap (give it round_robin, pick_first or a policy of the lab's)`);
  return { label: `${name} (the lab's)`, make: () => pickPolicyFor(name, options ?? {})! };
}

export type { EndpointState, PickPolicy };
export type PickArgs = experimental.PickArgs;
