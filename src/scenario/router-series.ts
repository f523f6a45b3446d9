// The lab's router as a client of its own in a run: the calls it forwarded per backend (by the
// name the server gives, else its address) and its own answers (a fault's abort, no backend ready)
// under "(none)", in the same bucket events the driver emits. So the view, the report and the
// action table show the router's balancing beside the clients that dial it.
import { CallStats, type TrafficEvent } from '../traffic/index.js';
import type { GrpcRouter } from '../router/index.js';

export const ROUTER_CLIENT = 'lab-router';

/** How a report names the router's series: the router's upstream and its balancer. */
export interface RouterClientLabel {
  name: string;
  target: string;
  balancer: string;
}

export interface RouterSeries {
  label: RouterClientLabel;
  start(): void;
  stop(): void;
}

export function routerSeries(opts: {
  router: GrpcRouter;
  target: string;
  balancer: string;
  /** Client names the scenario has: the series takes one none of them has. */
  taken: ReadonlySet<string>;
  bucketMs: number;
  now: () => number;
  feed: (e: TrafficEvent) => void;
}): RouterSeries {
  let name = ROUTER_CLIENT;
  for (let i = 2; opts.taken.has(name); i++) name = `${ROUTER_CLIENT}-${i}`;
  const stats = new CallStats();
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  const flush = () => {
    const t = opts.now();
    opts.feed({ type: 'bucket', client: name, t, widthMs: Math.max(1, t - last), ...stats.flush() });
    last = t;
  };
  return {
    label: { name, target: opts.target, balancer: opts.balancer },
    start() {
      last = opts.now();
      opts.feed({ type: 'client-started', client: name, t: last, target: opts.target, serviceConfig: {}, observed: true, router: { balancer: opts.balancer } });
      opts.router.observe((c) => stats.record(c.backend, c.code, c.micros, 1));
      timer = setInterval(flush, opts.bucketMs);
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      opts.router.observe(undefined);
      flush();
      opts.feed({ type: 'client-stopped', client: name, t: opts.now() });
    },
  };
}
