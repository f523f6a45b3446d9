// The scenario checker against random scenarios on random sandboxes (fast-check). What it accepts
// must be able to pass and to fail: a series of buckets is built from the model's own plan (the
// traffic it says makes each expectation hold) and the real verdict judges it; then, for each
// expectation, traffic that fails it. What it refuses must not have been able to pass (or, for a
// check refused as one that cannot fail, to fail): many random windows are judged by the real check,
// and none may do what the refusal says cannot be done. Steps refused at their time are ones Docker
// itself refuses, or ones that would do nothing (the verbs' rules are checked against a real engine
// in test/integration/container-verbs.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { setupLab } from '../../src/setup.js';
import { parseScenario, BUCKET_MS } from '../../src/scenario/load.js';
import { parseTopology } from '../../src/topology/load.js';
import { FileError, FileErrors } from '../../src/errors.js';
import { verdictOf, evaluate, dueMs } from '../../src/scenario/verdict.js';
import { windowOf, type WitnessEnv } from '../../src/scenario/expectations/witness.js';
import { envsOf, bucketsIn, jointly, type PlanInput } from '../../src/scenario/timeline/plan.js';
import { passWitness, failWitness } from '../../src/scenario/timeline/solve.js';
import { frontsOf } from '../../src/scenario/timeline/fronts.js';
import type { Bucket } from '../../src/scenario/expectations/index.js';
import { expectationKind } from '../../src/scenario/expectations/expectation.js';
import type { ExpectStep, Scenario } from '../../src/scenario/model.js';
import type { Topology } from '../../src/topology/types.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/lab.js';

setupLab();

const COMPOSE = readFileSync(path.join(ROOT, 'compose/lab.yaml'), 'utf8');
const topologyFor = (sb: { echo?: number; etcd?: number; xds?: boolean; proxy?: boolean }) => parseTopology('compose/lab.yaml', COMPOSE, sb);

// ---- generators: a scenario as YAML text, on a sandbox of 1 to 5 echo servers ----

const at = (max: number) => fc.integer({ min: 0, max: max / 250 }).map((n) => n * 250);
const ms = (v: number) => (v % 1000 ? `${v}ms` : `${v / 1000}s`);
const echoName = (n: number) => fc.integer({ min: 1, max: n }).map((i) => `echo-${i}`);

const shareMatcher = fc.oneof(
  fc.constantFrom('0', '100%', '>25%', '<10%', '>50%', '<60%', '33% ± 8%', '50% ± 10%', '20%..40%', '>95%', '<5%', '>=33%', '<0%'),
  fc.integer({ min: 0, max: 100 }).map((v) => `${v}% ± ${1 + (v % 7)}%`),
);
const share = (echo: number) =>
  fc.oneof(
    fc.dictionary(fc.oneof(echoName(echo + 1), fc.constantFrom('top', 'bottom')), shareMatcher, { minKeys: 1, maxKeys: 3 }).map((d) => ({ share: d })),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: echo, maxLength: echo }).map((parts) => ({ share: `≈ ${parts.join(':')} ± 8%` })),
  );
const errors = fc
  .record(
    {
      rate: fc.constantFrom('<1%', '>50%', '20% ± 5%', '67% ± 5%', '100%', '0'),
      total: fc.constantFrom('0', '<5', '>0', '>1000', '2..8'),
      UNAVAILABLE: fc.constantFrom('>0', '0', '<3'),
    },
    { requiredKeys: [] },
  )
  .filter((e) => Object.keys(e).length > 0)
  .map((e) => ({ errors: e }));
const latency = fc
  .record(
    { p50: fc.constantFrom('<5ms', '>10ms', '<1s', '>200ms'), p99: fc.constantFrom('<50ms', '>150ms', '<2s', '>3s'), max: fc.constantFrom('<5s', '>1ms') },
    { requiredKeys: [] },
  )
  .filter((e) => Object.keys(e).length > 0)
  .map((e) => ({ latency: e }));
const attempts = fc.constantFrom('1', '<1.05', '3 ± 0.1', '>1.5', '<1', '1.2..1.6').map((a) => ({ attempts: a }));

const lbs = [
  'round_robin',
  'pick_first',
  '{ loadBalancingConfig: [{ round_robin: {} }], methodConfig: [{ name: [{ service: grpc.examples.echo.Echo }], retryPolicy: { maxAttempts: 4, initialBackoff: 0.01s, maxBackoff: 0.05s, backoffMultiplier: 2, retryableStatusCodes: [UNAVAILABLE] } }] }',
];

interface Gen {
  echo: number;
  xds: boolean;
  durationMs: number;
  clients: string[];
  steps: string[];
}

const scenarioArb = fc
  .record({ echo: fc.integer({ min: 1, max: 5 }), xds: fc.boolean(), durationS: fc.integer({ min: 2, max: 30 }), nClients: fc.integer({ min: 1, max: 3 }) })
  .chain(({ echo, xds, durationS, nClients }) => {
    const durationMs = durationS * 1000;
    const target = fc.oneof(
      fc.constant('etcd:///echo'),
      fc.constant('consul:///echo'),
      echoName(echo).map((e) => `ipv4:{${e}}`),
      ...(xds ? [fc.constant('xds:///echo')] : []),
    );
    const client = fc.record({
      target,
      lb: fc.constantFrom(...lbs),
      load: fc.oneof(
        fc.integer({ min: 1, max: 16 }).map((c) => `concurrency: ${c}`),
        fc.constantFrom(1, 2, 4, 10, 100).map((r) => `rate: ${r}`),
      ),
      deadline: fc.constantFrom('1s', '500ms', '100ms'),
    });
    const names = ['rr', 'pf', 'cc'].slice(0, nClients);
    const instance = fc.oneof(echoName(echo + 1), fc.constantFrom('etcd', 'consul', ...(xds ? ['xds'] : [])));
    const action = fc.oneof(
      fc.tuple(fc.constantFrom('kill', 'stop', 'start', 'restart', 'pause', 'unpause', 'partition', 'heal'), instance).map(([k, i]) => `${k}: ${i}`),
      fc.integer({ min: 1, max: echo + 2 }).map((n) => `scale: { echo: ${n} }`),
      echoName(echo + 1).map((e) => `fault: { target: ${e}, errorRate: 100%, code: UNAVAILABLE }`),
      echoName(echo + 1).map((e) => `fault: { target: ${e}, latency: 300ms }`),
      echoName(echo + 1).map((e) => `fault: { target: ${e} }`),
      echoName(echo + 1).map((e) => `link: { target: ${e}, blackhole: true }`),
      echoName(echo + 1).map((e) => `expire-lease: ${e}`),
      fc.constantFrom(...names).map((c) => `set-lb: { client: ${c}, lb: pick_first }`),
      fc.constantFrom('xds: { lb: ring_hash }', 'xds: { retry: { numRetries: 2 } }', 'xds: { split: { v1: 50 } }'),
    );
    const when = fc.oneof(
      fc.constantFrom('within: 2s', 'within: 4s', 'within: 0', 'within: 250ms', 'always: 3s', 'always: true', 'always: 0', 'within: 2s, settle: 3s'),
      fc.constantFrom('always: 5s, window: 2s', 'within: 3s, window: 500ms', 'always: 2s, window: 3s'),
    );
    const check = fc.oneof(
      { weight: 4, arbitrary: share(echo) },
      { weight: 2, arbitrary: errors },
      { weight: 1, arbitrary: latency },
      { weight: 1, arbitrary: attempts },
    );
    const expect = fc.tuple(fc.constantFrom(...names), fc.array(check, { minLength: 1, maxLength: 2 }), when).map(([c, checks, w]) => {
      const merged = Object.assign({}, ...checks) as Record<string, unknown>;
      const body = Object.entries(merged)
        .map(
          ([k, v]) =>
            `${k}: ${
              typeof v === 'string'
                ? JSON.stringify(v)
                : `{ ${Object.entries(v as object)
                    .map(([a, b]) => `${a}: ${JSON.stringify(b)}`)
                    .join(', ')} }`
            }`,
        )
        .join(', ');
      return `expect: { client: ${c}, ${body}, ${w} }`;
    });
    const step = fc
      .tuple(at(durationMs), fc.oneof({ weight: 1, arbitrary: action }, { weight: 2, arbitrary: expect }))
      .map(([t, s]) => `  - at: ${ms(t)}\n    ${s}`);
    return fc.record({
      echo: fc.constant(echo),
      xds: fc.constant(xds),
      durationMs: fc.constant(durationMs),
      clients: fc
        .tuple(...names.map(() => client))
        .map((cs) =>
          cs.map((c, i) => `  ${names[i]}: { target: "${c.target}", lb: ${c.lb.startsWith('{') ? c.lb : c.lb}, ${c.load}, deadline: ${c.deadline} }`),
        ),
      steps: fc.array(step, { minLength: 1, maxLength: 8 }),
    });
  });

function yamlOf(g: Gen): string {
  const sandbox = `sandbox: { echo: ${g.echo}${g.xds ? ', xds: true' : ''} }`;
  return `name: random\n${sandbox}\nduration: ${ms(g.durationMs)}\nclients:\n${g.clients.join('\n')}\nsteps:\n${g.steps.join('\n')}\n`;
}

type Parsed = { ok: true; scenario: Scenario; topology: Topology } | { ok: false; errors: FileError[] };

function parse(g: Gen): Parsed {
  try {
    const scenario = parseScenario('random.yaml', yamlOf(g), topologyFor);
    return { ok: true, scenario, topology: topologyFor(scenario.sandbox) };
  } catch (err) {
    if (err instanceof FileErrors) return { ok: false, errors: err.errors };
    if (err instanceof FileError) return { ok: false, errors: [err] };
    throw err;
  }
}

// ---- the simulation: buckets from the model's plan ----

const K = (s: ExpectStep) => bucketsIn(s.windowMs, BUCKET_MS);

function inputOf(s: Scenario, t: Topology): PlanInput {
  return { durationMs: s.durationMs, bucketMs: BUCKET_MS, expectations: [], timeline: s.timeline, fronts: frontsOf(t) };
}

function grid(durationMs: number): number[] {
  const out: number[] = [];
  for (let t = BUCKET_MS; t <= durationMs; t += BUCKET_MS) out.push(t);
  return out;
}

/** The buckets where every expectation of the scenario holds: at each bucket, the joint traffic of the expectations whose hold reads it. */
function passingSeries(s: Scenario, t: Topology): Map<string, Bucket[]> {
  const input = inputOf(s, t);
  const out = new Map<string, Bucket[]>();
  const clients = [...s.clients.map((c) => c.name), ...s.observed.map((o) => o.name)];
  for (const client of clients) {
    const mine = s.steps.filter((x): x is ExpectStep => x.kind === 'expect' && x.client === client);
    const series: Bucket[] = [];
    for (const b of grid(s.durationMs)) {
      const covering = mine.filter((e) => {
        const h = s.plans.get(e.index)!.hold!;
        return h.fromMs - K(e) * BUCKET_MS < b && b <= h.toMs;
      });
      const set = covering.length ? jointly(covering.map((e) => ({ judged: e.checks.map((check) => ({ check, scale: 1 })), k: K(e) }))) : { judged: [], k: 4 };
      const envs = envsOf(input, client, b - BUCKET_MS, b, set.k);
      const got = passWitness(set.judged, envs);
      assert.ok(!('why' in got), `${client} at ${b}ms: ${'why' in got ? got.why : ''}`);
      if ('why' in got) throw new Error('unreachable');
      const w = windowOf(got.parts, got.env, 1 / set.k, b);
      series.push({ t: b, total: w.total, backends: w.backends });
    }
    out.set(client, series);
  }
  return out;
}

const actionsOf = (s: Scenario) =>
  s.steps.flatMap((x) => (x.kind === 'action' ? [{ index: x.index, line: x.line, text: x.text, atMs: x.atMs, ranAtMs: x.atMs }] : []));

// ---- random windows in an env's domain, for what the search says cannot be ----

/** A window the env allows: its calls, on the backends it reaches (or, for failing, on none), within its policy, deadline and floors. */
function randomWindow(rng: () => number, env: WitnessEnv, forFailing: boolean): ReturnType<typeof windowOf> {
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)];
  const calls = env.calls;
  const to = [...env.reachable, ...(forFailing || !env.reachable.length ? ['(none)'] : [])];
  const backends: Record<string, number> = {};
  let left = calls;
  const order = [...to].sort(() => rng() - 0.5);
  for (const name of order) {
    const c = name === order[order.length - 1] ? left : pick([0, left, Math.floor(rng() * (left + 1)), Math.floor(left / 2)]);
    backends[name] = c;
    left -= c;
  }
  const sure = env.floor?.failsAll && env.attempts.policy === 1;
  const failed = sure ? calls : pick([0, 0, 1, calls, Math.floor(rng() * (calls + 1))]);
  const cap = env.deadlineMs === undefined ? 1e5 : 1.5 * env.deadlineMs + 100;
  const least = env.floor?.latencyMs ?? 0;
  const l = Math.min(cap, least + pick([0.5, 3, 20, 120, 400, 900, 1600]) * rng());
  const p99 = Math.min(cap, l * pick([1, 1.5, 4]));
  const max = Math.min(cap, p99 * pick([1, 2]));
  const most = forFailing ? env.attempts.possible : env.attempts.policy;
  const perCall = 1 + (most - 1) * pick([0, 0, rng(), 1]);
  return windowOf(
    [
      {
        backends,
        errors: failed ? { [pick(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'INTERNAL'])]: failed } : {},
        latency: { p50Ms: l, p99Ms: p99, maxMs: max },
        extraAttempts: Math.floor(calls * (perCall - 1)),
      },
    ],
    env,
    1,
  );
}

describe('the scenario checker, on random scenarios and sandboxes (fast-check)', () => {
  it('whatever it accepts can pass (the plan, built into buckets, passes the real verdict) and each expectation can fail', () => {
    let accepted = 0;
    fc.assert(
      fc.property(scenarioArb, (g) => {
        const p = parse(g);
        if (!p.ok) return;
        accepted++;
        const { scenario: s, topology: t } = p;
        const buckets = passingSeries(s, t);
        const v = verdictOf(s, buckets, actionsOf(s), s.durationMs, false);
        for (const e of v.expectations) assert.equal(e.ok, true, `${e.text}: ${e.saw}\n${yamlOf(g)}`);
        // Each can fail: its windows filled with traffic that fails one of its checks.
        const input = inputOf(s, t);
        for (const e of s.steps) {
          if (e.kind !== 'expect') continue;
          const k = K(e);
          const from = e.atMs - k * BUCKET_MS;
          const until = dueMs(e, s.durationMs);
          const envs = envsOf(input, e.client, from, until, k);
          const failing = e.checks.map((check) => failWitness({ check, scale: 1 }, envs)).find((f) => f);
          assert.ok(failing, `${e.text} cannot fail\n${yamlOf(g)}`);
          const series = buckets.get(e.client)!.map((b) => {
            if (b.t <= from || b.t > until) return b;
            const w = windowOf(failing.parts, failing.env, 1 / k, b.t);
            return { t: b.t, total: w.total, backends: w.backends };
          });
          const r = evaluate(e, series, s.durationMs);
          assert.equal(r.ok, false, `${e.text} passed on traffic made to fail it\n${yamlOf(g)}`);
          assert.equal(r.state, 'failed');
        }
      }),
      { numRuns: 1500, seed: Number(process.env.FC_SEED ?? 20261206) },
    );
    assert.ok(accepted > 60, `too few random scenarios were accepted to say anything (${accepted})`);
  });

  it('what the search finds no traffic for, no traffic in the sandbox does: no random window passes what cannot pass, none fails what cannot fail', () => {
    const rng = (
      (seed) => () =>
        (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    )(42);
    let cannotPass = 0;
    let cannotFail = 0;
    const envArb = fc.record({
      reachable: fc.integer({ min: 0, max: 5 }),
      calls: fc.constantFrom(1, 2, 3, 4, 10, 100, 1200),
      policy: fc.integer({ min: 1, max: 5 }),
      deadlineMs: fc.constantFrom(100, 500, 1000),
      floor: fc.constantFrom(undefined, { failsAll: true, latencyMs: 0, why: 'faults' }, { failsAll: false, latencyMs: 300, why: 'faults' }),
    });
    const checkArb = fc.oneof(share(5), errors, latency, attempts);
    fc.assert(
      fc.property(envArb, fc.array(checkArb, { minLength: 1, maxLength: 3 }), (e, raws) => {
        const names = Array.from({ length: e.reachable }, (_, i) => `echo-${i + 1}`);
        const env: WitnessEnv = {
          calls: e.calls,
          callsKnown: true,
          reachable: names,
          anyBackend: false,
          attempts: { policy: e.policy, possible: Math.max(2, e.policy) },
          deadlineMs: e.deadlineMs,
          ...(e.floor ? { floor: e.floor } : {}),
        };
        const all = ['echo-1', 'echo-2', 'echo-3', 'echo-4', 'echo-5', 'echo-6'];
        const checks = raws.flatMap((raw) => {
          const [key, value] = Object.entries(raw)[0];
          const kind = expectationKind(key)!;
          const c = kind.parse(value, { backends: all, ratioOver: all.slice(0, 5), observed: false });
          return typeof c === 'string' ? [] : [c];
        });
        if (!checks.length) return;
        const judged = checks.map((check) => ({ check, scale: 1 }));
        if ('why' in passWitness(judged, [env])) {
          cannotPass++;
          for (let i = 0; i < 300; i++) {
            const w = randomWindow(rng, env, false);
            assert.ok(
              !checks.every((c) => c.holds(w).ok),
              `"${checks.map((c) => c.text).join('; ')}" was found impossible, but a window passes: ${JSON.stringify(w)}`,
            );
          }
        }
        for (const j of judged) {
          if (failWitness(j, [env])) continue;
          cannotFail++;
          for (let i = 0; i < 300; i++) {
            const w = randomWindow(rng, env, true);
            assert.ok(j.check.holds(w).ok, `"${j.check.text}" was found unable to fail, but a window fails it: ${JSON.stringify(w)}`);
          }
        }
      }),
      { numRuns: 600, seed: Number(process.env.FC_SEED ?? 11) },
    );
    assert.ok(cannotPass > 20 && cannotFail > 5, `the random checks should include impossible ones (${cannotPass} cannot pass, ${cannotFail} cannot fail)`);
  });
});
