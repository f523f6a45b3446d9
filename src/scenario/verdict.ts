// The verdict: every expectation evaluated over the client's buckets, windows sliding bucket by
// bucket. `within`: the first window end after the step where it holds and then keeps holding for
// the settle time (that moment minus the step time is the time-to-rebalance). `always`: every whole
// window after the step holds. A failure says when, and what was seen against what was expected.
import { windowAt, type Bucket } from './expectations/index.js';
import type { ExpectStep, Scenario } from './model.js';

export interface ExpectResult {
  index: number;
  line: number;
  text: string;
  /** The client it is about. */
  client?: string;
  atMs: number;
  ok: boolean;
  /** within: when it began to hold for good, relative to the step (the start of the first window
   * that held, so the window's width does not count as rebalancing time). */
  timeToHoldMs?: number;
  /** When it failed (scenario time), and what was seen then. */
  failedAtMs?: number;
  saw: string;
}

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
  /** Per client: how long after the action its shares settled (null: they never did). */
  rebalanceMs?: Record<string, number | null>;
}

const SETTLE_TOLERANCE = 5; // points of share
const SETTLE_HOLD_MS = 2000;
const WINDOW_MS = 1000;

/**
 * Time-to-rebalance: from the action to the start of the first 1 s window after which every
 * backend's share stays within 5 points for 2 s (or until the next action or the end) and no more
 * calls fail per window than in the window before the action. Failures count: calls stalling on a
 * frozen backend are few next to the rest, but traffic has moved only when they stop failing.
 */
export function settleMs(buckets: Bucket[], fromMs: number, untilMs: number): number | null {
  const ends = buckets.map((b) => b.t).filter((t) => t >= fromMs + WINDOW_MS && t <= untilMs);
  const shares = (t: number) => {
    const w = windowAt(buckets, t, WINDOW_MS);
    return Object.fromEntries(Object.entries(w.backends).map(([k, v]) => [k, w.total.calls ? (100 * v.calls) / w.total.calls : 0])) as Record<string, number>;
  };
  const failing = (t: number) => {
    const w = windowAt(buckets, t, WINDOW_MS);
    return w.total.calls - w.total.ok;
  };
  const baseline = failing(fromMs);
  for (let i = 0; i < ends.length; i++) {
    const ref = shares(ends[i]);
    if (!Object.keys(ref).length) continue;
    const holdEnd = Math.min(untilMs, ends[i] + SETTLE_HOLD_MS);
    const later = ends.filter((t) => t > ends[i] && t <= holdEnd);
    const stable =
      [ends[i], ...later].every((t) => failing(t) <= baseline) &&
      later.every((t) => {
        const s = shares(t);
        return [...new Set([...Object.keys(s), ...Object.keys(ref)])].every((k) => Math.abs((s[k] ?? 0) - (ref[k] ?? 0)) <= SETTLE_TOLERANCE);
      });
    // A shorter hold counts only when the whole interval is too short for a full one.
    const short = untilMs - fromMs < WINDOW_MS + SETTLE_HOLD_MS;
    if (stable && (holdEnd - ends[i] >= SETTLE_HOLD_MS || (short && holdEnd === untilMs))) return Math.max(0, ends[i] - WINDOW_MS - fromMs);
  }
  return null;
}

export interface Verdict {
  ok: boolean;
  expectations: ExpectResult[];
  actions: ActionResult[];
  interrupted: boolean;
  /** The clients the user ran: how each ended (one that ended early fails the run). */
  ownClients?: OwnClientResult[];
}

function holdsAt(step: ExpectStep, buckets: Bucket[], end: number) {
  const w = windowAt(buckets, end, step.windowMs);
  const results = step.checks.map((c) => c.holds(w));
  return { ok: results.every((r) => r.ok), saw: results.map((r) => r.saw).join('; ') };
}

export function evaluate(step: ExpectStep, buckets: Bucket[], endMs: number): ExpectResult {
  const base = { index: step.index, line: step.line, text: step.text, client: step.client, atMs: step.atMs };
  const ends = buckets.map((b) => b.t).filter((t) => t > step.atMs);
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
        return { ...base, ok: true, timeToHoldMs: Math.max(0, ends[i] - step.windowMs - step.atMs), saw: last.saw };
    }
    return {
      ...base,
      ok: false,
      failedAtMs: deadline,
      saw: `by ${(deadline / 1000).toFixed(1)}s it ${last.ok ? 'did not keep holding' : 'did not hold'}: ${last.saw}`,
    };
  }
  const until = Math.min(endMs, step.atMs + (step.alwaysMs ?? Infinity));
  for (const t of ends) {
    if (t < step.atMs + step.windowMs || t > until) continue;
    const r = holdsAt(step, buckets, t);
    if (!r.ok) return { ...base, ok: false, failedAtMs: t, saw: `at ${(t / 1000).toFixed(1)}s: ${r.saw}` };
  }
  return { ...base, ok: true, saw: 'held throughout' };
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
  const expectations = scenario.steps
    .filter((s): s is ExpectStep => s.kind === 'expect')
    .map((s) =>
      s.atMs >= endMs
        ? { index: s.index, line: s.line, text: s.text, atMs: s.atMs, ok: false, saw: 'the run ended before this step' }
        : evaluate(s, buckets.get(s.client) ?? [], endMs),
    );
  for (const a of actions) {
    if (a.ranAtMs === undefined) continue;
    // Actions at the same time share an interval: it runs to the next action scheduled later.
    const later = actions.filter((b) => b.atMs > a.atMs).map((b) => b.ranAtMs ?? b.atMs);
    const next = later.length ? Math.min(...later) : endMs;
    a.rebalanceMs = Object.fromEntries([...buckets].map(([client, bs]) => [client, settleMs(bs, a.ranAtMs!, next)]));
  }
  const ownClients = own.map(({ name, run, how, early }) => ({ name, run, how, early }));
  const ok = !interrupted && expectations.every((e) => e.ok) && actions.every((a) => !a.error && a.ranAtMs !== undefined) && ownClients.every((c) => !c.early);
  return { ok, expectations, actions, interrupted, ...(ownClients.length ? { ownClients } : {}) };
}

export type LiveState = 'pending' | 'waiting' | 'holding' | 'passed' | 'failed';

/** Where an expectation stands at `nowMs` of a run in progress (the view's timeline). */
export function liveState(step: ExpectStep, buckets: Bucket[], nowMs: number): { state: LiveState; timeToHoldMs?: number; saw?: string } {
  if (nowMs < step.atMs) return { state: 'pending' };
  const r = evaluate(step, buckets, nowMs);
  const latest = buckets.length ? buckets[buckets.length - 1].t : 0;
  if (step.withinMs !== undefined) {
    if (r.ok) return { state: 'passed', timeToHoldMs: r.timeToHoldMs, saw: r.saw };
    if (nowMs > step.atMs + step.withinMs + step.settleMs) return { state: 'failed', saw: r.saw };
    return { state: latest > step.atMs && holdsAt(step, buckets, latest).ok ? 'holding' : 'waiting' };
  }
  if (!r.ok) return { state: 'failed', saw: r.saw };
  return { state: step.alwaysMs !== undefined && nowMs >= step.atMs + step.alwaysMs ? 'passed' : 'holding' };
}
