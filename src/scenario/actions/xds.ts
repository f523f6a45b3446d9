// xds: { ... } — a push through the lab's xDS control plane: what it serves changes, and every xDS
// client (the lab's and any other) gets the new resources. Each key replaces its part of the
// policy; the undo puts back the policy as it was before the push.
//   lb: ring_hash | round_robin | weighted_round_robin | pick_first | a lab balancer (wrr_smooth, ...)
//   lbOptions: { ... }             the balancer's options (ring_hash: minRingSize, maxRingSize)
//   weights: { echo-1: 3 }         endpoint weights (EDS load_balancing_weight)
//   health: { echo-2: DRAINING }   endpoint health over the registry's (HEALTHY, UNHEALTHY, DRAINING)
//   localities: { a: { weight: 2, priority: 1 } }   per zone: locality weight, priority (failover order)
//   subsets: { v1: [echo-1, echo-2], v2: [echo-3] } and split: { v1: 90, v2: 10 }   a canary
//   retry: { on: [unavailable], numRetries: 3, backoff: 10ms, maxBackoff: 100ms }
//   hashHeader: x-lab-key          the route's hash policy (for ring_hash)
//   outlierDetection: { interval: 1s, baseEjectionTime: 10s, maxEjectionPercent: 50%, failurePercentage: { threshold: 50%, minimumHosts: 2, requestVolume: 10 } }
//   maxRequests: 100               the circuit breaker
//   timeout: 100ms                 the route's max_stream_duration (gRFC A31): every call's deadline at most this
//   routes: [{ path: /grpc.testing.TestService/EmptyCall, to: v2, timeout: 3s }]   routes before the default one (A28):
//                                  by path, prefix or regex (ignoreCase) and headers (exact, prefix, suffix, present,
//                                  regex, range, invert), each to a subset, with its own timeout and fault
//   subsetMaxRequests: { v1: 500 } a subset's circuit breaker
//   fault: { abort: { code: UNAVAILABLE, percent: 10% }, delay: { duration: 100ms, percent: 50% } }
//   reset: true                    back to the default policy first
import { z } from 'zod';
import { DEFAULT_POLICY, type XdsPolicy, FAILURE_STATUS_NAMES, statusCode } from '../../wire/index.js';
import { duration, fraction, toFraction, toMs } from '../../util/units.js';
import { labBalancers, validateServiceConfig } from '../../traffic/index.js';
import { seconds } from '../../util/time-text.js';
import { closest } from '../../util/suggest.js';
import { ArgProblem, checkTarget, defineAction, type Names } from './action.js';

const RETRY_ON = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'] as const;
const echoMap = <V extends z.ZodType>(v: V) => z.record(z.string(), v);
const whole = z.number().int().min(0);

const regex = z.string().refine(
  (r) => {
    try {
      new RegExp(r);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a regular expression' },
);
const faultArg = z.strictObject({
  abort: z.strictObject({ code: z.enum(FAILURE_STATUS_NAMES), percent: fraction }).optional(),
  delay: z.strictObject({ duration, percent: fraction }).optional(),
});
const headerRule = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9_.-]+$/, 'a lower-case header name'),
    exact: z.string().optional(),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
    present: z.boolean().optional(),
    regex: regex.optional(),
    range: z.tuple([z.number().int(), z.number().int()]).optional(),
    invert: z.boolean().optional(),
  })
  .refine((h) => ['exact', 'prefix', 'suffix', 'present', 'regex', 'range'].filter((k) => h[k as keyof typeof h] !== undefined).length <= 1, {
    message: 'a header matches one way: exact, prefix, suffix, present, regex or range',
  });
const routeRule = z
  .strictObject({
    path: z.string().startsWith('/', 'a path begins with /').optional(),
    prefix: z.string().optional(),
    regex: regex.optional(),
    ignoreCase: z.boolean().optional(),
    headers: z.array(headerRule).max(20).optional(),
    /** The subset its calls go to (absent: where the default route sends them). */
    to: z.string().optional(),
    timeout: duration.optional(),
    fault: faultArg.optional(),
  })
  .refine((r) => ['path', 'prefix', 'regex'].filter((k) => r[k as keyof typeof r] !== undefined).length <= 1, {
    message: 'a route matches the path one way: path, prefix or regex',
  });

const arg = z.strictObject({
  reset: z.literal(true).optional(),
  lb: z.string().min(1).optional(),
  lbOptions: z.record(z.string(), z.unknown()).optional(),
  weights: echoMap(z.number().int().min(1).max(1000)).optional(),
  health: echoMap(z.enum(['HEALTHY', 'UNHEALTHY', 'DRAINING', 'DEGRADED'])).optional(),
  localities: z
    .record(z.string(), z.strictObject({ weight: z.number().int().min(1).max(1000).optional(), priority: z.number().int().min(0).max(10).optional() }))
    .optional(),
  subsets: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'subset names are lower-case letters, digits and dashes'), z.array(z.string()).min(1)).optional(),
  split: z.record(z.string(), whole).optional(),
  retry: z
    .union([
      z.literal(false),
      z.strictObject({
        on: z.array(z.enum(RETRY_ON)).min(1).default(['unavailable']),
        numRetries: z.number().int().min(1).max(10),
        backoff: duration.optional(),
        maxBackoff: duration.optional(),
      }),
    ])
    .optional(),
  hashHeader: z.union([z.literal(false), z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name')]).optional(),
  outlierDetection: z
    .union([
      z.literal(false),
      z.strictObject({
        interval: duration.optional(),
        baseEjectionTime: duration.optional(),
        maxEjectionTime: duration.optional(),
        maxEjectionPercent: fraction.optional(),
        failurePercentage: z
          .strictObject({ threshold: fraction, minimumHosts: whole.optional(), requestVolume: whole.optional(), enforcement: fraction.optional() })
          .optional(),
        successRate: z
          .strictObject({ stdevFactor: whole.optional(), minimumHosts: whole.optional(), requestVolume: whole.optional(), enforcement: fraction.optional() })
          .optional(),
      }),
    ])
    .optional(),
  maxRequests: z.union([z.literal(false), z.number().int().min(1)]).optional(),
  timeout: z.union([z.literal(false), duration.refine((v) => toMs(v) > 0, { message: 'a timeout above 0, such as 100ms' })]).optional(),
  routes: z.union([z.literal(false), z.array(routeRule).max(100)]).optional(),
  subsetMaxRequests: z.record(z.string(), z.number().int().min(1)).optional(),
  fault: z.union([z.literal(false), faultArg]).optional(),
});
type Arg = z.output<typeof arg>;

const pct = (v: string | number) => toFraction(v) * 100;

/** The subsets a policy sends calls to or limits (its split, its routes, its circuit breakers) that its subsets do not give. */
function subsetGaps(p: XdsPolicy): Array<{ subset: string; by: 'split' | 'route' | 'subsetMaxRequests' }> {
  const has = (subset: string) => p.split?.subsets[subset] !== undefined;
  return [
    ...Object.keys(p.split?.weights ?? {}).map((subset) => ({ subset, by: 'split' as const })),
    ...(p.routes ?? []).flatMap((r) => (r.subset === undefined ? [] : [{ subset: r.subset, by: 'route' as const }])),
    ...Object.keys(p.subsetMaxRequests ?? {}).map((subset) => ({ subset, by: 'subsetMaxRequests' as const })),
  ].filter((g) => !has(g.subset));
}

/** The policy after the push: each key given replaces its part (false removes it). */
function patched(base: XdsPolicy, a: Arg): XdsPolicy {
  const p: XdsPolicy = { ...(a.reset ? DEFAULT_POLICY : base) };
  if (a.lb !== undefined) p.lb = a.lb;
  if (a.lbOptions !== undefined) p.lbOptions = a.lbOptions;
  if (a.weights) p.weights = { ...p.weights, ...a.weights };
  if (a.health) p.health = { ...p.health, ...a.health };
  if (a.localities) p.localities = { ...p.localities, ...a.localities };
  if (a.split) p.split = { subsets: a.subsets ?? p.split?.subsets ?? {}, weights: Object.fromEntries(Object.entries(a.split).filter(([, w]) => w > 0)) };
  if (a.retry !== undefined)
    p.retry = a.retry
      ? {
          on: a.retry.on,
          numRetries: a.retry.numRetries,
          baseIntervalMs: a.retry.backoff ? toMs(a.retry.backoff) : undefined,
          maxIntervalMs: a.retry.maxBackoff ? toMs(a.retry.maxBackoff) : undefined,
        }
      : undefined;
  if (a.hashHeader !== undefined) p.hashHeader = a.hashHeader || undefined;
  if (a.maxRequests !== undefined) p.maxRequests = a.maxRequests || undefined;
  if (a.timeout !== undefined) p.timeoutMs = a.timeout === false ? undefined : toMs(a.timeout);
  if (a.subsetMaxRequests) p.subsetMaxRequests = { ...p.subsetMaxRequests, ...a.subsetMaxRequests };
  if (a.routes !== undefined)
    p.routes = a.routes
      ? a.routes.map((r) => ({
          path: r.path,
          prefix: r.prefix,
          regex: r.regex,
          ignoreCase: r.ignoreCase,
          headers: r.headers?.map((h) => ({ ...h, range: h.range && { start: h.range[0], end: h.range[1] } })),
          subset: r.to,
          timeoutMs: r.timeout === undefined ? undefined : toMs(r.timeout),
          fault: r.fault && faultOf(r.fault),
        }))
      : undefined;
  if (a.outlierDetection !== undefined) {
    const o = a.outlierDetection;
    p.outlierDetection = o
      ? {
          intervalMs: o.interval ? toMs(o.interval) : undefined,
          baseEjectionTimeMs: o.baseEjectionTime ? toMs(o.baseEjectionTime) : undefined,
          maxEjectionTimeMs: o.maxEjectionTime ? toMs(o.maxEjectionTime) : undefined,
          maxEjectionPercent: o.maxEjectionPercent === undefined ? undefined : pct(o.maxEjectionPercent),
          failurePercentage: o.failurePercentage && {
            threshold: pct(o.failurePercentage.threshold),
            minimumHosts: o.failurePercentage.minimumHosts,
            requestVolume: o.failurePercentage.requestVolume,
            enforcementPercentage: o.failurePercentage.enforcement === undefined ? undefined : pct(o.failurePercentage.enforcement),
          },
          successRate: o.successRate && {
            ...o.successRate,
            enforcementPercentage: o.successRate.enforcement === undefined ? undefined : pct(o.successRate.enforcement),
          },
        }
      : undefined;
  }
  if (a.fault !== undefined) p.fault = a.fault ? faultOf(a.fault) : undefined;
  return p;
}

function faultOf(f: z.output<typeof faultArg>): NonNullable<XdsPolicy['fault']> {
  return {
    abort: f.abort && { code: statusCode(f.abort.code), percent: pct(f.abort.percent) },
    delay: f.delay && { ms: toMs(f.delay.duration), percent: pct(f.delay.percent) },
  };
}

/** The lb policies the control plane can serve: gRPC's own in xDS, and the lab's balancers (as a TypedStruct). */
const XDS_LB = ['round_robin', 'ring_hash', 'weighted_round_robin', 'pick_first'];

function checkLb(a: Arg): ArgProblem | undefined {
  if (a.lb === undefined) return undefined;
  const known = [...new Set([...XDS_LB, ...labBalancers().keys()])];
  if (!known.includes(a.lb)) {
    const guess = closest(a.lb, known, 4);
    return new ArgProblem(`unknown lb policy "${a.lb}"${guess ? ` (did you mean "${guess}"?)` : ''}; the control plane serves ${known.join(', ')}`, ['lb']);
  }
  if (XDS_LB.includes(a.lb) || !a.lbOptions) return undefined;
  try {
    validateServiceConfig({ loadBalancingConfig: [{ [a.lb]: a.lbOptions }] });
  } catch (err) {
    return new ArgProblem((err as Error).message.replace(/^service config: /, ''), ['lbOptions']);
  }
  return undefined;
}

/** Names in the push must be the sandbox's: echo servers, and zones some echo server is in. */
function checkNames(a: Arg, names: Names, zones: string[]): ArgProblem | undefined {
  const lb = checkLb(a);
  if (lb) return lb;
  for (const key of ['weights', 'health'] as const)
    for (const id of Object.keys(a[key] ?? {})) {
      const p = checkTarget(names, id, 'echo', [key, id], true);
      if (p) return p;
    }
  for (const [subset, ids] of Object.entries(a.subsets ?? {}))
    for (const [i, id] of ids.entries()) {
      const p = checkTarget(names, id, 'echo', ['subsets', subset, i]);
      if (p) return p;
    }
  for (const zone of Object.keys(a.localities ?? {}))
    if (!zones.includes(zone)) return new ArgProblem(`no echo server is in zone "${zone}" (zones: ${zones.join(', ')})`, ['localities', zone], true);
  if (a.split) {
    // A later push may change the weights alone: its subsets are the ones pushed before (checked when it runs).
    if (a.subsets)
      for (const subset of Object.keys(a.split))
        if (!a.subsets[subset])
          return new ArgProblem(
            `the split names subset "${subset}", which subsets: does not give (e.g. subsets: { ${subset}: [echo-3] })`,
            ['split', subset],
            true,
          );
    if (!Object.values(a.split).some((w) => w > 0)) return new ArgProblem('a split needs a weight above 0', ['split']);
  }
  if (a.subsets && !a.split) return new ArgProblem('subsets come with a split: over them (e.g. split: { v1: 90, v2: 10 })', ['subsets'], true);
  // Routes and circuit breakers name subsets: the ones this push gives (a later push may use those pushed before).
  if (a.subsets) {
    for (const [i, r] of (a.routes || []).entries())
      if (r.to !== undefined && !a.subsets[r.to])
        return new ArgProblem(`the route sends its calls to subset "${r.to}", which subsets: does not give`, ['routes', i, 'to']);
    for (const subset of Object.keys(a.subsetMaxRequests ?? {}))
      if (!a.subsets[subset]) return new ArgProblem(`no subset "${subset}" in subsets:`, ['subsetMaxRequests', subset], true);
  }
  return undefined;
}

const describeArg = (a: Arg) =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) =>
      k === 'split'
        ? `split ${Object.entries(v as Record<string, number>)
            .map(([s, w]) => `${s} ${w}`)
            .join('/')}`
        : typeof v === 'object'
          ? `${k} ${JSON.stringify(v)}`
          : `${k} ${String(v)}`,
    )
    .join(', ');

export default defineAction({
  kind: 'xds',
  summary:
    'a push through the xDS control plane: lb policy, endpoint and locality weights, priorities, endpoint health, a canary split, retry, hash header, outlier detection, circuit breaker, fault injection',
  example: 'xds: { subsets: { v1: [echo-1, echo-2], v2: [echo-3] }, split: { v1: 90, v2: 10 } }',
  arg,
  resolve(a, names) {
    if (![...names.instances.values()].includes('xds'))
      return 'the sandbox runs no xDS control plane: add `sandbox: { xds: true }` to the scenario (or lab up --xds)';
    return checkNames(a, names, [...new Set(names.zones ?? [])]) ?? a;
  },
  describe: (a) => `xDS push: ${describeArg(a)}`,
  model(a, sandbox) {
    const xds = [...sandbox.model.instances.values()].find((i) => i.role === 'xds');
    if (xds) {
      const up = sandbox.reachable(xds.name, 'push to');
      if (typeof up === 'string') return up;
    }
    // The push applied to the policy the pushes before it made, as run() applies it to the one served.
    const next = patched(sandbox.model.xds.policy, a);
    const [gap] = subsetGaps(next);
    if (gap) {
      const known = Object.keys(next.split?.subsets ?? {});
      const given = `which no push before ${seconds(sandbox.atMs)} has given (${known.length ? `known: ${known.join(', ')}` : 'none has'}); give it in subsets: first`;
      if (gap.by === 'split') return new ArgProblem(`the split names subset "${gap.subset}", ${given}`, ['split', gap.subset], true);
      const route = (a.routes || []).findIndex((r) => r.to === gap.subset);
      if (gap.by === 'route')
        return route >= 0
          ? new ArgProblem(`the route sends its calls to subset "${gap.subset}", ${given}`, ['routes', route, 'to'])
          : new ArgProblem(
              `a route pushed before sends its calls to subset "${gap.subset}", which this push's subsets: drop (known: ${known.join(', ') || 'none'})`,
              a.subsets ? ['subsets'] : [],
            );
      return a.subsetMaxRequests?.[gap.subset] !== undefined
        ? new ArgProblem(`subsetMaxRequests names subset "${gap.subset}", ${given}`, ['subsetMaxRequests', gap.subset], true)
        : new ArgProblem(
            `subsetMaxRequests pushed before names subset "${gap.subset}", which this push's subsets: drop (known: ${known.join(', ') || 'none'})`,
            a.subsets ? ['subsets'] : [],
          );
    }
    sandbox.model.xds.policy = next;
    return undefined;
  },
  async run(a, ctx) {
    const before = await ctx.xds().policy();
    const next = patched(before, a);
    const gaps = subsetGaps(next);
    if (gaps.length) throw new Error(`the push names ${gaps.map((g) => `${g.subset} (${g.by})`).join(', ')}, which no push has given in subsets:`);
    await ctx.xds().setPolicy(next);
    ctx.undo('put the xDS policy back', async () => void (await ctx.xds().setPolicy(before)));
  },
});
