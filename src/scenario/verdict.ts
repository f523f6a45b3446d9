// The verdict: every expectation evaluated over the client's buckets, windows sliding bucket by
// bucket. `within`: the first window end after the step where it holds and then keeps holding for
// the settle time (that moment minus the step time is when it held). `always`: every whole window
// after the step holds. A failure says when, and what was seen against what was expected. A run cut
// short (Ctrl-C, your own client ending) leaves what it had not yet judged *not judged*: never a
// failure at a moment that never came.
import { windowAt, type Bucket } from './expectations/index.js';
import type { ExpectStep, Scenario } from './model.js';
import { seconds } from '../util/time-text.js';
import { fairShareOf, joinedBy, modelsAround, type Joined } from './fair-share.js';

export type ExpectState = 'passed' | 'failed' | 'not-judged';

export interface ExpectResult {
  index: number;
  line: number;
  text: string;
  /** The client it is about. */
  client?: string;
  atMs: number;
  ok: boolean;
  /** passed, failed, or not judged (the run ended before its verdict was due). Absent in reports of older runs: ok says. */
  state?: ExpectState;
  /** within: when it began to hold for good, relative to the step (the start of the first window
   * that held, so the window's width does not count as rebalancing time). */
  timeToHoldMs?: number;
  /** When it failed (scenario time), and what was seen then. */
  failedAtMs?: number;
  /** Not judged: by when it would have been (scenario time). */
  judgedByMs?: number;
  saw: string;
  /** A caution about what it could see (a client you run, whose calls fell away after the step). */
  note?: string;
}

/** How a client's shares moved after an action. */
export type Rebalance =
  /** They moved, and settled this long after the action. */
  | { state: 'settled'; ms: number }
  /** They did not move: the same shares as before it, no more failures. */
  | { state: 'unchanged' }
  /** Still moving when the next action came, or the run ended. */
  | { state: 'unsettled' }
  /** The run was cut short before they settled or the interval ended. */
  | { state: 'not-judged' };

export interface ActionResult {
  index: number;
  line: number;
  text: string;
  /** Its kind and target, what a chart's marker says ("kill echo-1"). */
  short?: string;
  atMs: number;
  ranAtMs?: number;
  error?: string;
  /** What the action found out as it ran (kill-leader: which member led). */
  detail?: string;
  /** Per client: how its shares moved after the action. */
  rebalance?: Record<string, Rebalance>;
  /** Per client: the backends the action brought in that it can reach, and when each took a fair share of its calls. */
  joined?: Record<string, Joined[]>;
}

const SETTLE_TOLERANCE = 5; // points of share
/** A later window this far (points of share) from where a client settled is a move: it had not settled yet. */
const MOVE_TOLERANCE = 10;
const SETTLE_HOLD_MS = 2000;
const WINDOW_MS = 1000;

const sharesAt = (buckets: Bucket[], t: number) => {
  const w = windowAt(buckets, t, WINDOW_MS);
  return Object.fromEntries(Object.entries(w.backends).map(([k, v]) => [k, w.total.calls ? (100 * v.calls) / w.total.calls : 0])) as Record<string, number>;
};
const failingAt = (buckets: Bucket[], t: number) => {
  const w = windowAt(buckets, t, WINDOW_MS);
  return w.total.calls - w.total.ok;
};
const near = (a: Record<string, number>, b: Record<string, number>, tolerance = SETTLE_TOLERANCE) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => Math.abs((a[k] ?? 0) - (b[k] ?? 0)) <= tolerance);

/**
 * How a client's shares moved after an action at `fromMs`, until `untilMs` (the next action, or the
 * end): settled at the start of the first 1 s window after which every backend's share stays within
 * 5 points for 2 s (or to the interval's end) and no more calls fail per window than in the window
 * before the action. Failures count: calls stalling on a frozen backend are few next to the rest, but
 * traffic has moved only when they stop failing. A hold counts only if no later window of the
 * interval moves more than 10 points away from it: a client that sat still for a while and moved
 * later (a DNS client that finds a new backend when its resolution floor allows) settled after
 * that move, not before it. Settled at once into the shares it had before and stayed: unchanged.
 * `cutShort`: the run ended before `untilMs` was meant to come.
 */
export function rebalanceOf(buckets: Bucket[], fromMs: number, untilMs: number, cutShort = false): Rebalance {
  const ends = buckets.map((b) => b.t).filter((t) => t >= fromMs + WINDOW_MS && t <= untilMs);
  const baseline = failingAt(buckets, fromMs);
  for (let i = 0; i < ends.length; i++) {
    const ref = sharesAt(buckets, ends[i]);
    if (!Object.keys(ref).length) continue;
    const holdEnd = Math.min(untilMs, ends[i] + SETTLE_HOLD_MS);
    const later = ends.filter((t) => t > ends[i] && t <= holdEnd);
    const stable = [ends[i], ...later].every((t) => failingAt(buckets, t) <= baseline) && later.every((t) => near(sharesAt(buckets, t), ref));
    // A shorter hold counts only when the whole interval is too short for a full one (and was not cut short).
    const short = !cutShort && untilMs - fromMs < WINDOW_MS + SETTLE_HOLD_MS;
    const stays = ends.slice(i + 1).every((t) => near(sharesAt(buckets, t), ref, MOVE_TOLERANCE));
    if (stable && stays && (holdEnd - ends[i] >= SETTLE_HOLD_MS || (short && holdEnd === untilMs))) {
      const ms = Math.max(0, ends[i] - WINDOW_MS - fromMs);
      // Stable from the first whole window after the action, in the shares it had before: nothing moved.
      const before = sharesAt(buckets, fromMs);
      if (i === 0 && Object.keys(before).length && near(before, ref)) return { state: 'unchanged' };
      return { state: 'settled', ms };
    }
  }
  return cutShort ? { state: 'not-judged' } : { state: 'unsettled' };
}

export interface Verdict {
  ok: boolean;
  expectations: ExpectResult[];
  actions: ActionResult[];
  interrupted: boolean;
  /** The run ended before its duration (interrupted, or a client you run ended): what was due after the end is not judged. */
  cutShortAtMs?: number;
  /** The clients the user ran: how each ended (one that ended early fails the run). */
  ownClients?: OwnClientResult[];
}

function holdsAt(step: ExpectStep, buckets: Bucket[], end: number) {
  const w = windowAt(buckets, end, step.windowMs);
  const results = step.checks.map((c) => c.holds(w));
  return { ok: results.every((r) => r.ok), saw: results.map((r) => r.saw).join('; ') };
}

/** When its verdict is due: within, at the deadline plus settle; always, at its last window (or the end). */
export function dueMs(step: ExpectStep, durationMs: number): number {
  if (step.withinMs !== undefined) return step.atMs + step.withinMs + step.settleMs;
  return Math.min(durationMs, step.atMs + (step.alwaysMs ?? Infinity));
}

/**
 * Evaluates an expectation over the buckets up to `endMs`. With `dueAtMs` after the end (a run cut
 * short), what has not passed or failed by the end is not judged.
 */
export function evaluate(step: ExpectStep, buckets: Bucket[], endMs: number, dueAtMs = endMs): ExpectResult {
  const base = { index: step.index, line: step.line, text: step.text, client: step.client, atMs: step.atMs };
  const ends = buckets.map((b) => b.t).filter((t) => t > step.atMs && t <= endMs);
  const notJudged = (saw: string): ExpectResult => ({ ...base, ok: false, state: 'not-judged', judgedByMs: dueAtMs, saw });
  if (step.withinMs !== undefined) {
    const deadline = step.atMs + step.withinMs;
    let last = { ok: false, saw: 'no traffic after the step' };
    for (let i = 0; i < ends.length && ends[i] <= deadline; i++) {
      last = holdsAt(step, buckets, ends[i]);
      if (!last.ok) continue;
      // It holds at ends[i]: it must keep holding for the settle time.
      const settleEnd = ends[i] + step.settleMs;
      const broke = ends.filter((t) => t > ends[i] && t <= settleEnd).find((t) => !holdsAt(step, buckets, t).ok);
      if (broke === undefined && settleEnd <= endMs)
        return { ...base, ok: true, state: 'passed', timeToHoldMs: Math.max(0, ends[i] - step.windowMs - step.atMs), saw: last.saw };
    }
    if (endMs < dueAtMs) return notJudged(`the run ended at ${seconds(endMs)}, before this was due (${seconds(dueAtMs)}); last seen: ${last.saw}`);
    return {
      ...base,
      ok: false,
      state: 'failed',
      failedAtMs: deadline,
      saw: `by ${(deadline / 1000).toFixed(1)}s it ${last.ok ? 'did not keep holding' : 'did not hold'}: ${last.saw}`,
    };
  }
  const until = Math.min(endMs, step.atMs + (step.alwaysMs ?? Infinity));
  let judged = 0;
  for (const t of ends) {
    if (t < step.atMs + step.windowMs || t > until) continue;
    const r = holdsAt(step, buckets, t);
    if (!r.ok) return { ...base, ok: false, state: 'failed', failedAtMs: t, saw: `at ${(t / 1000).toFixed(1)}s: ${r.saw}` };
    judged = t;
  }
  if (endMs < dueAtMs)
    return notJudged(
      judged
        ? `held from ${seconds(step.atMs + step.windowMs)} to ${seconds(judged)}, when the run ended; it was due to hold to ${seconds(dueAtMs)}`
        : `the run ended at ${seconds(endMs)}, before its first window`,
    );
  return { ...base, ok: true, state: 'passed', saw: 'held throughout' };
}

/**
 * A client the user runs is seen from the servers' side: a call stuck on a frozen backend never
 * reaches one. When its calls fall away after the step, a pass may be false comfort: say so.
 */
function fallNote(step: ExpectStep, buckets: Bucket[], endMs: number): string | undefined {
  const rate = (from: number, to: number) => {
    const got = buckets.filter((b) => b.t > from && b.t <= to).reduce((a, b) => a + b.total.calls, 0);
    return (1000 * got) / Math.max(1, to - from);
  };
  const before = rate(Math.max(0, step.atMs - 2000), step.atMs);
  const after = rate(step.atMs, Math.min(endMs, dueMs(step, endMs)));
  if (before < 4 || after > before / 4) return undefined;
  return `calls fell from ${Math.round(before)}/s to ${Math.round(after)}/s after the step: calls may be stalled where the servers cannot see them`;
}

/** How a client the user ran ended (its output stays out of the verdict: the report keeps it). */
export interface OwnClientResult {
  name: string;
  run: string;
  how: string;
  early: boolean;
}

export function verdictOf(
  scenario: Scenario,
  buckets: Map<string, Bucket[]>,
  actions: ActionResult[],
  endMs: number,
  interrupted: boolean,
  own: OwnClientResult[] = [],
): Verdict {
  // Timers fire late, never early: a run that ran its course ends at or after its duration.
  const cutShort = interrupted || endMs < scenario.durationMs;
  const observed = new Set(scenario.observed.map((o) => o.name));
  const expectations = scenario.steps
    .filter((s): s is ExpectStep => s.kind === 'expect')
    .map((s): ExpectResult => {
      const due = dueMs(s, scenario.durationMs);
      if (s.atMs >= endMs)
        return {
          index: s.index,
          line: s.line,
          text: s.text,
          client: s.client,
          atMs: s.atMs,
          ok: false,
          state: 'not-judged',
          judgedByMs: due,
          saw: 'the run ended before this step',
        };
      const bs = buckets.get(s.client) ?? [];
      const r = evaluate(s, bs, endMs, cutShort ? due : endMs);
      const note = observed.has(s.client) ? fallNote(s, bs, endMs) : undefined;
      return note ? { ...r, note } : r;
    });
  for (const a of actions) {
    if (a.ranAtMs === undefined) continue;
    // Actions at the same time share an interval: it runs to the next action scheduled later.
    const later = actions.filter((b) => b.atMs > a.atMs).map((b) => b.ranAtMs ?? b.atMs);
    const next = later.length ? Math.min(...later) : scenario.durationMs;
    const until = Math.min(next, endMs);
    a.rebalance = Object.fromEntries([...buckets].map(([client, bs]) => [client, rebalanceOf(bs, a.ranAtMs!, until, cutShort && endMs < next)]));
    const around = modelsAround(scenario, a);
    const joined = around ? joinedBy(around.before, around.after, a.atMs) : [];
    if (joined.length) {
      const per = [...buckets].map(([client, bs]): [string, Joined[]] => [
        client,
        fairShareOf({
          client,
          buckets: bs,
          joined,
          after: around!.after,
          fronts: scenario.fronts,
          fromMs: a.ranAtMs!,
          untilMs: until,
          cutShort: cutShort && endMs < next,
        }),
      ]);
      const some = per.filter(([, j]) => j.length);
      if (some.length) a.joined = Object.fromEntries(some);
    }
  }
  const ownClients = own.map(({ name, run, how, early }) => ({ name, run, how, early }));
  const ok = !interrupted && expectations.every((e) => e.ok) && actions.every((a) => !a.error && a.ranAtMs !== undefined) && ownClients.every((c) => !c.early);
  return { ok, expectations, actions, interrupted, ...(cutShort ? { cutShortAtMs: endMs } : {}), ...(ownClients.length ? { ownClients } : {}) };
}

export type LiveState = 'pending' | 'waiting' | 'holding' | 'passed' | 'failed';

/** Where an expectation stands at `nowMs` of a run in progress (the view's timeline). */
export function liveState(step: ExpectStep, buckets: Bucket[], nowMs: number): { state: LiveState; timeToHoldMs?: number; saw?: string } {
  if (nowMs < step.atMs) return { state: 'pending' };
  const due = step.withinMs !== undefined ? step.atMs + step.withinMs + step.settleMs : step.atMs + (step.alwaysMs ?? Infinity);
  const r = evaluate(step, buckets, nowMs, Math.max(nowMs, due));
  const latest = buckets.length ? buckets[buckets.length - 1].t : 0;
  if (r.state === 'passed' && step.withinMs !== undefined) return { state: 'passed', timeToHoldMs: r.timeToHoldMs, saw: r.saw };
  if (r.state === 'failed') return { state: 'failed', saw: r.saw };
  if (step.withinMs === undefined) return { state: step.alwaysMs !== undefined && nowMs >= due ? 'passed' : 'holding' };
  return { state: latest > step.atMs && holdsAt(step, buckets, latest).ok ? 'holding' : 'waiting' };
}
