// Each expectation against the run's timeline: the windows it will be judged on (they must exist,
// after the step and before the end, with room for settle), traffic that makes it hold there (it can
// pass) and traffic with which each of its checks fails (it can fail), in the sandbox as the
// timeline has it then. Expectations of one client that must hold at the same time must be able to
// hold together. What the model finds is what `lab check --explain` prints.
import type { ExpectStep } from '../model.js';
import type { WindowPart, WitnessEnv } from '../expectations/witness.js';
import { seconds } from '../../util/time-text.js';
import { isBackend } from '../../topology/index.js';
import { dialled, isUp, type Fronts } from './reach.js';
import { changeText, floorOf, xdsMaxAttempts, type ClientModel, type SandboxModel } from './sandbox-model.js';
import { failWitness, passWitness, type Judged } from './solve.js';

/** How a step's sandbox changes over the run (see build.ts). */
export interface TimelineView {
  /** Every sandbox the calls of (from, to] see: the one at `from` and those steps inside make (a step at `to` acts on later calls). */
  during(fromMs: number, toMs: number): SandboxModel[];
  at(ms: number): SandboxModel;
  /** The times at which a step changes the sandbox. */
  changesAt(): number[];
}

export interface ExpectPlan {
  index: number;
  /** The window ends it is judged at: within, any end in (at, at + within] then held through settle; always, every end from first to last. */
  firstEndMs: number;
  lastEndMs: number;
  /** When its verdict is known at the latest (a run cut short before this leaves it not judged). */
  decidedByMs: number;
  /** Where the model found traffic that makes it hold (window ends), with one such window. */
  hold?: { fromMs: number; toMs: number; witness?: { parts: WindowPart[]; env: WitnessEnv } };
}

export interface PlanProblem {
  index: number;
  /** Where under the step (expect.within, expect.share, ...). */
  path: PropertyKey[];
  message: string;
}

export interface PlanInput {
  durationMs: number;
  bucketMs: number;
  expectations: ExpectStep[];
  timeline: TimelineView;
  fronts: Fronts;
}

/** The window ends a run has: every bucket's end, and the end of the run (its last, shorter bucket). */
function grid(durationMs: number, bucketMs: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = Math.max(bucketMs, Math.ceil(from / bucketMs) * bucketMs); t <= Math.min(to, durationMs); t += bucketMs) if (t >= from) out.push(t);
  if (durationMs >= from && durationMs <= to && out[out.length - 1] !== durationMs) out.push(durationMs);
  return out;
}

/** How many buckets a window of this width holds (a window ending at a bucket's end takes the buckets in (end - width, end]). */
export const bucketsIn = (windowMs: number, bucketMs: number) => Math.max(1, Math.ceil(windowMs / bucketMs));

interface Placed {
  step: ExpectStep;
  judged: Judged[];
  /** The buckets its hold windows read: (from, to]. */
  from: number;
  to: number;
  /** Buckets in its window. */
  k: number;
}

/**
 * Checks of several expectations judged on the same traffic: the unit is the narrowest window among
 * them, and a check on a wider one sees its counts that many times over.
 */
export function jointly(sets: Array<{ judged: Judged[]; k: number }>): { judged: Judged[]; k: number } {
  const k = Math.min(...sets.map((s) => s.k));
  return { judged: sets.flatMap((s) => s.judged.map((j) => ({ check: j.check, scale: s.k / k }))), k };
}

/** The client's sandbox over (from, to]: who it can reach, its policy, its rate: what a window of it can hold. */
export function envsOf(input: PlanInput, client: string, fromMs: number, toMs: number, windowBuckets: number): WitnessEnv[] {
  const models = input.timeline.during(Math.max(0, fromMs), toMs);
  const reachable = new Set<string>();
  const everDialled = new Set<string>();
  let external = false;
  let policy = 1;
  let c: ClientModel | undefined;
  // What every call meets for sure: each backend it can reach, in each state of the stretch, has a fault.
  let floor: { failsAll: boolean; latencyMs: number; lines: Set<number> } | undefined = { failsAll: true, latencyMs: Infinity, lines: new Set() };
  for (const m of models) {
    c = m.clients.get(client)!;
    const r = dialled(c, m, input.fronts);
    external ||= r.external;
    const up = r.dialled.filter((name) => isUp(m.instances.get(name)!, Math.max(fromMs, m.atMs)));
    for (const name of r.dialled) everDialled.add(name);
    for (const name of up) {
      reachable.add(name);
      const f = floor && floorOf(m.instances.get(name)!, c.method);
      if (!f) floor = undefined;
      else if (floor) {
        floor.failsAll &&= f.failsAll;
        floor.latencyMs = Math.min(floor.latencyMs, f.latencyMs);
        floor.lines.add(f.line);
      }
    }
    // With no backend up, calls fail at once: nothing is sure of their latency.
    if (!up.length && floor) floor.latencyMs = 0;
    const xds = c.target?.startsWith('xds:') ? xdsMaxAttempts(m.xds.policy) : 1;
    policy = Math.max(policy, c.maxAttempts, xds);
  }
  const last = models[models.length - 1];
  const unreachable: Record<string, string> = {};
  for (const i of last.instances.values()) {
    if (!isBackend(i) || reachable.has(i.name)) continue;
    unreachable[i.name] = everDialled.has(i.name)
      ? `it is down from ${seconds(Math.max(0, fromMs))} to ${seconds(toMs)}${i.last ? `: it was ${changeText(i.last)}` : ''}`
      : `its target ${c?.target ?? ''} does not dial it`;
  }
  for (const [name, change] of last.gone) unreachable[name] ??= `it was ${changeText(change)}`;
  const seconds_ = (windowBuckets * input.bucketMs) / 1000;
  const calls = c?.rate ? [...new Set([Math.floor(c.rate * seconds_), Math.ceil(c.rate * seconds_)])] : [1200, 240, 60, 12, 4, 3, 2, 1];
  const sure =
    floor && !external && (floor.failsAll || floor.latencyMs > 0)
      ? {
          failsAll: floor.failsAll,
          latencyMs: Number.isFinite(floor.latencyMs) ? floor.latencyMs : 0,
          why: `every backend ${client} can reach then ${floor.failsAll ? 'fails every call' : `adds at least ${seconds(floor.latencyMs)}`}: fault${floor.lines.size > 1 ? 's' : ''} set at line${floor.lines.size > 1 ? 's' : ''} ${[...floor.lines].sort((a, b) => a - b).join(', ')}`,
        }
      : undefined;
  return calls.map((n) => ({
    floor: sure,
    calls: n,
    callsKnown: !!c?.rate,
    reachable: [...reachable],
    anyBackend: external,
    unreachable,
    attempts: { policy, possible: Math.max(policy, 2) },
    deadlineMs: c?.observed ? undefined : c?.deadlineMs,
  }));
}

/** Why a window with so few calls holds nothing (an open loop slower than one call per window). */
function noCalls(input: PlanInput, step: ExpectStep, envs: WitnessEnv[]): string | undefined {
  if (envs.some((e) => e.calls > 0)) return undefined;
  return `a ${seconds(step.windowMs)} window holds no call at this client's rate: widen the window (window: 5s) or raise the rate`;
}

export function planExpectations(input: PlanInput): { plans: Map<number, ExpectPlan>; problems: PlanProblem[] } {
  const plans = new Map<number, ExpectPlan>();
  const problems: PlanProblem[] = [];
  const placed = new Map<string, Placed[]>();
  const { bucketMs, durationMs } = input;
  const steps = [...input.expectations].sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  for (const step of steps) {
    const fail = (key: string | string[], message: string) => problems.push({ index: step.index, path: ['expect', ...[key].flat()], message });
    if (step.windowMs < bucketMs) {
      fail('window', `a window of ${seconds(step.windowMs)} is shorter than one bucket of stats (${seconds(bucketMs)}): give it at least ${seconds(bucketMs)}`);
      continue;
    }
    const k = bucketsIn(step.windowMs, bucketMs);
    const judged: Judged[] = step.checks.map((check) => ({ check, scale: 1 }));
    const within = step.withinMs !== undefined;
    // The hold candidates: (first end, last end) pairs, earliest first.
    const holds: Array<[number, number]> = [];
    let firstEndMs: number;
    let lastEndMs: number;
    let decidedByMs: number;
    if (within) {
      // A window that would begin before the run holds less than a window's calls: it is judged, but a hold is planned on whole ones.
      const ends = grid(durationMs, bucketMs, step.atMs + 1, step.atMs + step.withinMs!);
      const whole = ends.filter((t) => t >= k * bucketMs);
      firstEndMs = ends[0] ?? step.atMs + step.withinMs!;
      lastEndMs = step.atMs + step.withinMs!;
      decidedByMs = step.atMs + step.withinMs! + step.settleMs;
      if (!ends.length) {
        fail(
          'within',
          step.withinMs! < bucketMs
            ? `within ${seconds(step.withinMs!)}: no window ends that soon after the step (the stats come every ${seconds(bucketMs)}); give it at least ${seconds(bucketMs)}`
            : `within ${seconds(step.withinMs!)}: the run ends at ${seconds(durationMs)}, before any window after the step`,
        );
        continue;
      }
      if (decidedByMs > durationMs) {
        fail(
          step.settleMs >= durationMs ? 'settle' : 'within',
          step.settleMs >= durationMs
            ? `settle ${seconds(step.settleMs)} is as long as the run (${seconds(durationMs)}): it can never have held that long`
            : `within ${seconds(step.withinMs!)} and settle ${seconds(step.settleMs)} from ${seconds(step.atMs)} reach ${seconds(decidedByMs)}, past the end of the run (${seconds(durationMs)}): it would be judged at a moment that never comes; shorten within or settle, or make the run longer`,
        );
        continue;
      }
      if (!whole.length) {
        fail(
          'within',
          `within ${seconds(step.withinMs!)} from ${seconds(step.atMs)}: every ${seconds(step.windowMs)} window ending by ${seconds(lastEndMs)} begins before the run does; give it until at least ${seconds(k * bucketMs - step.atMs)}`,
        );
        continue;
      }
      for (const t of whole) if (t + step.settleMs <= durationMs) holds.push([t, t + step.settleMs]);
      if (!holds.length) {
        fail(
          step.settleMs >= durationMs ? 'settle' : 'within',
          step.settleMs >= durationMs
            ? `settle ${seconds(step.settleMs)} is as long as the run (${seconds(durationMs)}): it can never have held that long`
            : `it must hold by ${seconds(ends[0])} at the earliest and keep holding for settle ${seconds(step.settleMs)}, but the run ends at ${seconds(durationMs)}: move the step earlier, or make the run longer`,
        );
        continue;
      }
    } else {
      if (step.alwaysMs !== undefined && Number.isFinite(step.alwaysMs) && step.atMs + step.alwaysMs > durationMs) {
        fail(
          'always',
          `always ${seconds(step.alwaysMs)} from ${seconds(step.atMs)} runs to ${seconds(step.atMs + step.alwaysMs)}, past the end of the run (${seconds(durationMs)}): say always: true (to the end), or ${seconds(durationMs - step.atMs)}`,
        );
        continue;
      }
      const until = Math.min(durationMs, step.atMs + (step.alwaysMs ?? Infinity));
      const ends = grid(durationMs, bucketMs, step.atMs + step.windowMs, until);
      firstEndMs = ends[0] ?? step.atMs + step.windowMs;
      lastEndMs = ends[ends.length - 1] ?? until;
      decidedByMs = lastEndMs;
      if (!ends.length) {
        const why =
          step.alwaysMs !== undefined && step.alwaysMs < step.windowMs
            ? `always ${seconds(step.alwaysMs)} is shorter than its window (${seconds(step.windowMs)}): it checks no window at all`
            : `the run ends at ${seconds(durationMs)}, before the first ${seconds(step.windowMs)} window after the step closes: it checks no window at all`;
        fail('always', why);
        continue;
      }
      holds.push([ends[0], ends[ends.length - 1]]);
    }
    const plan: ExpectPlan = { index: step.index, firstEndMs, lastEndMs, decidedByMs };
    plans.set(step.index, plan);

    // It can fail: some traffic over the whole span it may be judged on fails each check.
    const span = envsOf(input, step.client, firstEndMs - k * bucketMs, holds[holds.length - 1][1], k);
    const few = noCalls(input, step, span);
    if (few) {
      fail(within ? 'within' : 'always', few);
      continue;
    }
    const vacuous = judged.filter((j) => !failWitness(j, span));
    for (const j of vacuous) fail(j.check.key, `${j.check.text} cannot fail here: ${whyNoFail(j, span[0])}; a test that cannot fail shows nothing`);
    if (vacuous.length) continue;

    // It can pass: a hold where, in each stretch of it (the sandbox changes at steps; the client's
    // other expectations hold over parts of it), traffic makes it and them hold at once.
    const mine = placed.get(step.client) ?? [];
    const changes = input.timeline.changesAt();
    let chosen: { from: number; to: number; start: number; witness?: { parts: WindowPart[]; env: WitnessEnv } } | undefined;
    let alone: { why: string; check: Judged; from: number; to: number } | undefined;
    let self: { why: string; from: number; to: number } | undefined;
    let conflict: Placed | undefined;
    for (const [a, b] of holds) {
      const from = a - k * bucketMs;
      const others = mine.filter((p) => p.from < b && from < p.to);
      const cuts = [...others.flatMap((p) => [p.from, p.to]), ...changes].filter((x) => x > from && x < b);
      const bounds = [...new Set([from, b, ...cuts])].sort((x, y) => x - y);
      let ok = true;
      let witness: { parts: WindowPart[]; env: WitnessEnv } | undefined;
      for (let s = 0; s + 1 < bounds.length && ok; s++) {
        const envs = envsOf(input, step.client, bounds[s], bounds[s + 1], k);
        for (const j of judged) {
          const got = passWitness([j], envs);
          if ('why' in got) {
            ok = false;
            alone = { why: got.why, check: j, from: bounds[s], to: bounds[s + 1] };
            break;
          }
        }
        if (!ok) break;
        const covering = others.filter((p) => p.from < bounds[s + 1] && bounds[s] < p.to);
        const together = (ps: Placed[]) => {
          const set = jointly([{ judged, k }, ...ps]);
          return passWitness(set.judged, set.k === k ? envs : envsOf(input, step.client, bounds[s], bounds[s + 1], set.k));
        };
        const got = together(covering);
        if ('why' in got) {
          ok = false;
          // Its own checks cannot hold at once (a share and an error rate that need different traffic), or with another's.
          const own = together([]);
          if ('why' in own) self = { why: own.why, from: bounds[s], to: bounds[s + 1] };
          else conflict = covering.find((p) => 'why' in together([p])) ?? covering[0];
        } else witness ??= got;
      }
      if (ok) {
        chosen = { from, to: b, start: a, witness };
        break;
      }
    }
    if (!chosen) {
      if (self && !alone)
        fail(
          within ? 'within' : 'always',
          `its checks cannot hold at once: ${self.why}${within ? '' : ` (from ${seconds(Math.max(firstEndMs, self.from + k * bucketMs))} to ${seconds(self.to)})`}`,
        );
      else if (conflict && (!alone || within))
        fail(
          within ? 'within' : 'always',
          `it cannot hold at the same time as the expectation at line ${conflict.step.line} (${conflict.step.text}), which ${step.client} must meet until ${seconds(conflict.to)}`,
        );
      else if (alone)
        fail(
          alone.check.check.key,
          `${alone.why}${within ? '' : ` (from ${seconds(Math.max(firstEndMs, alone.from + k * bucketMs))} to ${seconds(alone.to)})`}`,
        );
      else fail(within ? 'within' : 'always', 'no traffic the sandbox allows makes it hold');
      continue;
    }
    plan.hold = { fromMs: chosen.start, toMs: chosen.to, witness: chosen.witness };
    mine.push({ step, judged, from: chosen.from, to: chosen.to, k });
    placed.set(step.client, mine);
  }
  return { plans, problems };
}

/** Why no traffic fails a check: the backend it names never gets calls, or the value is fixed. */
function whyNoFail(j: Judged, env: WitnessEnv): string {
  if (j.check.key === 'share') {
    const names = (j.check.ask as { per: Array<{ name: string }> }).per.map((p) => p.name).filter((n) => env.unreachable?.[n]);
    if (names.length) return names.map((n) => `${n} gets no calls from this client then (${env.unreachable![n]})`).join('; ');
    if (env.reachable.length <= 1) return `the client reaches ${env.reachable.length ? `only ${env.reachable[0]}` : 'no backend'} then`;
  }
  if (j.check.key === 'attempts') return `the client's calls make ${env.attempts.policy} attempt(s) at most`;
  if (j.check.key === 'latency' && env.deadlineMs !== undefined) return `a call ends at its ${seconds(env.deadlineMs)} deadline`;
  return 'every window the client can see passes it';
}
