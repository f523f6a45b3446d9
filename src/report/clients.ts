// Each client of a run as its report names it: target, resolver and balancer, each with where it
// comes from (grpc-js, grpc-js-xds, or the lab's own). Pure.
import { balancerLabel, isXdsTarget, resolverLabel } from '../traffic/index.js';
import type { Scenario } from '../scenario/index.js';

export interface ClientLabel {
  name: string;
  target: string;
  /** "etcd resolver (lab)"; for a client you run, what runs it. */
  resolver: string;
  /** "round_robin (grpc-js)"; "chosen by the control plane" for xds: targets. */
  balancer: string;
}

/** The scenario's clients as a report names them. */
export function clientLabels(scenario: Pick<Scenario, 'clients' | 'observed'>): ClientLabel[] {
  return [
    ...scenario.clients.map((c) => ({
      name: c.name,
      target: c.target,
      resolver: resolverLabel(c.target),
      balancer: isXdsTarget(c.target) ? 'chosen by the control plane (grpc-js-xds)' : balancerLabel(c.serviceConfig),
    })),
    ...scenario.observed.map((o) => ({ name: o.name, target: '', resolver: `your own client: ${o.run}`, balancer: 'your client’s own' })),
  ];
}
