// A client's balancer and resolver as every screen names them, with where each comes from:
// "round_robin (grpc-js)", "least_request (lab)", "ring_hash (xDS, grpc-js-xds)", "etcd resolver
// (lab)". The view, the reports and --help all name them through here. Pure.
import { balancerOrigin } from './balancers/catalog.js';
import { parseTarget, schemeOrigin } from './targets.js';

/** A balancer's name with its origin; under xDS (the control plane chose it), "round_robin (xDS, grpc-js)". */
export function withOrigin(name: string, xds = false): string {
  const origin = balancerOrigin(name) ?? (xds ? 'grpc-js-xds' : undefined);
  if (xds) return `${name} (xDS${origin ? `, ${origin}` : ''})`;
  return origin ? `${name} (${origin})` : name;
}

/** The balancer a service config names first, as the client runs it (the lab's lab_observe wrapper looked through). */
export function balancerLabel(serviceConfig: unknown): string {
  const cfg = serviceConfig as { loadBalancingConfig?: Array<Record<string, unknown>> } | undefined;
  const first = cfg?.loadBalancingConfig?.[0];
  if (!first) return withOrigin('pick_first');
  const [name, inner] = Object.entries(first)[0];
  const child = (inner as { childPolicy?: Array<Record<string, unknown>> } | undefined)?.childPolicy;
  if ((name === 'lab_observe' || name === 'health_checked') && child?.length) {
    const innerName = balancerLabel({ loadBalancingConfig: child });
    return name === 'health_checked' ? `${innerName} + health_checked (lab)` : innerName;
  }
  return withOrigin(name);
}

/** "etcd resolver (lab)", "dns resolver (grpc-js)": whose resolver hands the client its addresses. */
export function resolverLabel(target: string): string {
  const scheme = (parseTarget(target).scheme ?? 'dns').toLowerCase();
  const origin = schemeOrigin(scheme);
  return `${scheme} resolver${origin ? ` (${origin})` : ''}`;
}
