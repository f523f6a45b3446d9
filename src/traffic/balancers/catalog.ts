// The balancers users can name: grpc-js's own and the lab's (each lab balancer adds itself when its
// setup() runs), with a line each for --help and the README.

const GRPC_JS: Record<string, string> = {
  pick_first: 'grpc-js: the first address that connects takes every call',
  round_robin: 'grpc-js: every READY backend in turn',
  weighted_round_robin: 'grpc-js: weights from ORCA load reports (the echo servers send them out of band)',
  outlier_detection: 'grpc-js: ejects backends that fail, over a child policy (round_robin by default)',
};

const lab = new Map<string, string>();

export function describeBalancer(name: string, description: string): void {
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
