// Where a balancer or a resolver comes from: grpc-js itself, @grpc/grpc-js-xds, or the lab's own
// code. Shown wherever one is named (--help, the README, the view, reports), so that a user who sees
// least_request move traffic does not go looking for it in grpc-js. Pure.

export type Origin = 'grpc-js' | 'grpc-js-xds' | 'lab';

/** As a label after a name: "round_robin (grpc-js)", "least_request (lab)". */
export const originTag = (origin: Origin | undefined) => (origin ? `(${origin})` : '');

/** In a sentence: "grpc-js's", "the lab's own". */
export const ORIGIN_WORDS: Record<Origin, string> = {
  'grpc-js': "grpc-js's",
  'grpc-js-xds': "grpc-js-xds's",
  lab: "the lab's own",
};

/**
 * The balancers @grpc/grpc-js-xds registers with grpc-js (1.14: its load-balancer-*.ts files), by
 * name. A lab balancer must not take one of these names: whichever registers last would win, for the
 * whole process (a test checks the list against what grpc-js-xds really registers).
 */
export const GRPC_JS_XDS_BALANCERS = ['cds', 'priority', 'ring_hash', 'weighted_target', 'xds_cluster_impl', 'xds_cluster_manager', 'xds_wrr_locality'];
