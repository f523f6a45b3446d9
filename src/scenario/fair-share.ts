// After an action that brings backends in (a scale up, a start, a heal), how long until each new
// backend took a fair share of a client's calls: the question behind "new backends get no traffic
// after a scale-up" (grpc/grpc#12295). Which backends joined, and which a client can reach, come
// from the run's model (the timeline); when, from the client's buckets. Pure.
import { type Bucket, windowAt } from './expectations/index.js';
import type { ActionStep, Scenario } from './model.js';
import { isBackend } from '../topology/index.js';
import { dialled, isUp, type Fronts } from './timeline/reach.js';
import type { SandboxModel } from './timeline/sandbox-model.js';

/**
 * A fair share: at least half of an equal share (with 4 backends, 12.5%). Half, not all: balancers
 * that weigh localities or load (xDS's zones, weighted_round_robin) give a newcomer less than an
 * equal share and still balance fairly; a backend that gets no traffic, or a trickle, stays below.
 */
export const FAIR_PART = 0.5;
const WINDOW_MS = 1000;

export type Joined =
  /** It took a fair share (`pct` or more over a second) this long after the action. */
  | { backend: string; state: 'fair'; ms: number; pct: number }
  /** It never did before the next action or the end; `best` is the most it had in any second. */
  | { backend: string; state: 'never'; pct: number; best: number }
  /** The run was cut short before the interval ended. */
  | { backend: string; state: 'not-judged'; pct: number };

/** The echo servers up after the action that were not up (or did not exist) before it. */
export function joinedBy(before: SandboxModel, after: SandboxModel, atMs: number): string[] {
  return [...after.instances.values()]
    .filter((i) => isBackend(i) && !i.partitioned && isUp(i, atMs))
    .filter((i) => {
      const was = before.instances.get(i.name);
      return !was || !isUp(was, atMs) || was.partitioned;
    })
    .map((i) => i.name);
}

/** The sandbox before and after the action step, from the run's model. */
export function modelsAround(scenario: Pick<Scenario, 'timeline'>, step: Pick<ActionStep, 'index'>): { before: SandboxModel; after: SandboxModel } | undefined {
  const list = scenario.timeline.after;
  const i = list.findIndex((a) => a.step.index === step.index);
  if (i < 0) return undefined;
  return { before: i === 0 ? scenario.timeline.start : list[i - 1].model, after: list[i].model };
}

/** Per joined backend the client dials: when its share first reached a fair share, in [fromMs, untilMs]. */
export function fairShareOf(opts: {
  client: string;
  buckets: Bucket[];
  joined: string[];
  after: SandboxModel;
  fronts: Fronts;
  fromMs: number;
  untilMs: number;
  cutShort: boolean;
}): Joined[] {
  const model = opts.after.clients.get(opts.client);
  if (!model) return [];
  const reach = dialled(model, opts.after, opts.fronts).dialled.filter((n) => {
    const inst = opts.after.instances.get(n);
    return inst && isUp(inst, opts.fromMs) && !inst.partitioned;
  });
  const mine = opts.joined.filter((b) => reach.includes(b));
  if (!mine.length || !reach.length) return [];
  const pct = (FAIR_PART * 100) / reach.length;
  const ends = opts.buckets.map((b) => b.t).filter((t) => t >= opts.fromMs + WINDOW_MS && t <= opts.untilMs);
  return mine.map((backend): Joined => {
    let best = 0;
    for (const end of ends) {
      const w = windowAt(opts.buckets, end, WINDOW_MS);
      if (!w.total.calls) continue;
      const share = (100 * (w.backends[backend]?.calls ?? 0)) / w.total.calls;
      best = Math.max(best, share);
      if (share >= pct) return { backend, state: 'fair', ms: Math.max(0, end - WINDOW_MS - opts.fromMs), pct };
    }
    return opts.cutShort ? { backend, state: 'not-judged', pct } : { backend, state: 'never', pct, best };
  });
}
