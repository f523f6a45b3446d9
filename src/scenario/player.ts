// Plays a scenario: brings the sandbox to the scenario's shape, starts its clients, runs each step
// at its time, then stops traffic, undoes what the scenario did (in reverse order, then a reconcile)
// and evaluates the expectations into a verdict. Interrupting stops at once and still undoes. The
// caller writes the report (report/write.ts). The engine emits events; it knows no screen.
import { createWriteStream, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { experimental } from '@grpc/grpc-js';
import { up, type SandboxEvent, eventsFileFor } from '../sandbox/index.js';
import { type TrafficEvent, type TrafficClients, ServedWatcher, sandboxResolverOptions } from '../traffic/index.js';
import type { RunContext } from '../run/index.js';
import { OwnClient, type OwnClientEnd } from './own-client.js';
import { servedSourcesOf, type SandboxSession } from './session.js';
import { GrpcRouter } from '../router/index.js';
import { routerSeries, type RouterClientLabel, type RouterSeries } from './router-series.js';
import { EnvironmentError } from '../errors.js';
import type { Topology } from '../topology/index.js';
import { compactSeries, type Bucket } from './expectations/index.js';
import type { ActionStep, Scenario } from './model.js';
import { verdictOf, type ActionResult, type Verdict } from './verdict.js';
import type { XdsEvent } from '../xds/index.js';
import type { ActionContext } from './actions/index.js';

export type PlayEvent =
  | TrafficEvent
  | { type: 'sandbox'; event: SandboxEvent }
  | { type: 'phase'; phase: 'sandbox' | 'traffic' | 'undo' | 'report' | 'done'; t: number }
  | { type: 'step'; t: number; index: number; kind: 'action' | 'expect'; text: string; error?: string }
  | { type: 'undo'; t: number; text: string; error?: string }
  /** A client the user runs ended before the run did (it exited, or could not start). */
  | { type: 'own-client'; client: string; t: number; how: string }
  | XdsEvent;

export interface PlayOptions {
  /** The run, in the scenario's shape (RunContext.withShape(scenario.sandbox)): its topology,
   * runtime, clock, clients and session. What shows the run live reads its clients and session
   * from it once the 'traffic' phase comes. */
  run: RunContext;
  signal?: AbortSignal;
  onEvent?: (e: PlayEvent) => void;
  bucketMs?: number;
  /** The clients' bucket series, filled as the run goes (each bucket before its event is emitted),
   * for callers that show the run live. */
  buckets?: Map<string, Bucket[]>;
}

export interface PlayResult {
  verdict: Verdict;
  /** Every event of the run, one JSON per line (a temporary file: writeReport moves it). */
  eventsFile: string;
  buckets: Map<string, Bucket[]>;
  endMs: number;
  /** How each client the user runs ended, with its output (the report keeps it). */
  ownEnds: OwnClientEnd[];
  /** The lab's router's series, when the run started it (a client dials {router}). */
  router?: RouterClientLabel;
}

/** How long the series keeps its fine buckets (250 ms); older ones are merged into whole seconds. */
const FINE_MS = 120_000;

/** The router a scenario's {router} dials: every service to the echo servers through etcd, round_robin per request; with its series as a client. */
async function startRouter(t: Topology, parts: SeriesParts): Promise<{ router: GrpcRouter; series: RouterSeries }> {
  const echo = t.instances.find((i) => i.role === 'echo')?.service ?? 'echo';
  const route = GrpcRouter.route('*', `etcd:///${echo}`, 'round_robin');
  const router = new GrpcRouter([route], sandboxResolverOptions(t));
  const hp = experimental.splitHostPort(t.router);
  try {
    await router.listen(hp?.host ?? t.router, hp?.port ?? 0);
  } catch (err) {
    throw new EnvironmentError(`the router cannot listen on ${t.router}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: 'Is a `lab router` already running there? Stop it, or set x-lab.router in the topology.',
    });
  }
  const series = routerSeries({
    router,
    target: route.target,
    balancer: router.balancerOf(route),
    taken: new Set([...parts.scenario.clients, ...parts.scenario.observed].map((c) => c.name)),
    bucketMs: parts.bucketMs,
    now: parts.run.clock.now,
    feed: parts.feed,
  });
  return { router, series };
}

/** Feeds the bucket series from traffic events, then emits them (compacted past FINE_MS, so a long run's memory stays flat). */
function seriesFeeder(buckets: Map<string, Bucket[]>, emit: (e: PlayEvent) => void): (e: TrafficEvent) => void {
  const compacted = new Map<string, number>();
  return (e) => {
    if (e.type === 'bucket') {
      if (!buckets.has(e.client)) buckets.set(e.client, []);
      const series = buckets.get(e.client)!;
      series.push({ t: e.t, total: e.total, backends: e.backends });
      if (series.length % 64 === 0) compacted.set(e.client, compactSeries(series, compacted.get(e.client) ?? 0, e.t - FINE_MS));
    }
    emit(e);
  };
}

interface SeriesParts {
  run: RunContext;
  scenario: Scenario;
  buckets: Map<string, Bucket[]>;
  feed: (e: TrafficEvent) => void;
  bucketMs: number;
}

/** The run's own clients (client times count from the scenario's start of traffic, like the steps'). */
function clientSet({ run, scenario, buckets, feed, bucketMs }: SeriesParts): TrafficClients {
  const clients = run.newClients({ bucketMs, onEvent: feed });
  for (const spec of scenario.clients) {
    buckets.set(spec.name, []);
    clients.add(spec);
  }
  return clients;
}

/** The user's clients' calls as the echo servers count them: by their tag, and the untagged ones when there is only one. */
function servedWatcher({ run, scenario, buckets, feed, bucketMs }: SeriesParts, session: SandboxSession) {
  if (!scenario.observed.length) return undefined;
  const byTag = new Map(scenario.observed.map((o) => [o.tag, o.name]));
  const only = scenario.observed.length === 1 ? scenario.observed[0].name : undefined;
  for (const o of scenario.observed) buckets.set(o.name, []);
  return new ServedWatcher({
    sources: () => servedSourcesOf(session),
    clientOf: (identity) => byTag.get(identity) ?? (identity === 'others' ? only : undefined),
    clients: scenario.observed.map((o) => o.name),
    bucketMs,
    now: run.clock.now,
    onEvent: feed,
  });
}

/** Runs each step at its time: an expectation is announced, an action is run and its outcome recorded. */
function scheduleSteps({
  scenario,
  ctx,
  actions,
  now,
  emit,
}: {
  scenario: Scenario;
  ctx: ActionContext;
  actions: ActionResult[];
  now: () => number;
  emit: (e: PlayEvent) => void;
}) {
  const timers: NodeJS.Timeout[] = [];
  const running: Array<Promise<void>> = [];
  for (const step of scenario.steps) {
    timers.push(
      setTimeout(() => {
        if (step.kind === 'expect') return emit({ type: 'step', t: now(), index: step.index, kind: 'expect', text: step.text });
        const result = actions.find((a) => a.index === step.index)!;
        const at = (result.ranAtMs = now());
        const p = step.action.run(step.arg, ctx).then(
          (detail) => {
            if (detail) result.detail = detail;
            emit({ type: 'step', t: at, index: step.index, kind: 'action', text: detail ? `${step.text} (${detail})` : step.text });
          },
          (err: Error) => {
            result.error = err.message;
            emit({ type: 'step', t: at, index: step.index, kind: 'action', text: step.text, error: err.message });
          },
        );
        running.push(p);
      }, step.atMs),
    );
  }
  return { cancel: () => timers.forEach(clearTimeout), settled: () => Promise.allSettled(running) };
}

export async function play(scenario: Scenario, opts: PlayOptions): Promise<PlayResult> {
  // Events go to a file as they come (a long run would otherwise hold every one in memory); the
  // report moves it. Named by pid: a sweep after a crash removes it with the sandbox.
  const eventsFile = eventsFileFor(process.pid);
  const eventLog = createWriteStream(eventsFile);
  const now = opts.run.clock.now;
  const emit = (e: PlayEvent) => {
    eventLog.write(`${JSON.stringify(e)}\n`);
    opts.onEvent?.(e);
  };
  try {
    const { verdict, buckets, endMs, ownEnds, router } = await run(scenario, opts, emit);
    emit({ type: 'phase', phase: 'done', t: now() });
    await new Promise<void>((resolve) => eventLog.end(resolve));
    return { verdict, eventsFile, buckets, endMs, ownEnds, router };
  } catch (err) {
    // No report will take the event log (the sandbox did not come up, the router did not start).
    await new Promise<void>((resolve) => eventLog.end(resolve));
    rmSync(eventsFile, { force: true });
    throw err;
  }
}

/** up, then traffic and steps for the scenario's duration, then undo: the run itself. */
async function run(scenario: Scenario, opts: PlayOptions, emit: (e: PlayEvent) => void) {
  const { run: ctx } = opts;
  const { rt, topology, clock } = ctx;
  const now = clock.now;

  emit({ type: 'phase', phase: 'sandbox', t: 0 });
  await up(rt, topology, { onEvent: (event) => emit({ type: 'sandbox', event }), signal: opts.signal, reach: ctx.reach });

  const buckets = opts.buckets ?? new Map<string, Bucket[]>();
  const parts: SeriesParts = { run: ctx, scenario, buckets, feed: seriesFeeder(buckets, emit), bucketMs: opts.bucketMs ?? 250 };
  const clients = clientSet(parts);
  const session = ctx.openSession(opts.signal);
  const served = servedWatcher(parts, session);
  const own: OwnClient[] = [];
  const ownEnds: OwnClientEnd[] = [];
  const ended = new AbortController();
  // With the xDS control plane: what it knows of the run's clients (ACKs, NACKs, load reports).
  const xds = ctx.xdsWatcher(emit);

  const actions: ActionResult[] = scenario.steps
    .filter((s): s is ActionStep => s.kind === 'action')
    .map((s) => ({ index: s.index, line: s.line, text: s.text, short: shortOf(s), atMs: s.atMs }));
  let steps: ReturnType<typeof scheduleSteps> | undefined;
  let router: Awaited<ReturnType<typeof startRouter>> | undefined;
  let endMs: number;
  try {
    // A client dials {router}: the lab's gRPC router runs in this process for the scenario, routing
    // every service to the echo servers through the etcd resolver, round_robin per request.
    if (scenario.router && topology.routerRunsIn === 'lab') {
      router = await startRouter(topology, parts);
      session.useRouter(router.router);
    }
    // Clients that take time to exist (a swarm's agents) do so before the clock starts.
    await clients.prepare();
    clock.start();
    emit({ type: 'phase', phase: 'traffic', t: 0 });
    // The servers' counts before now are the baseline; then the user's clients start.
    await served?.start();
    for (const spec of scenario.observed) {
      emit({ type: 'client-started', client: spec.name, t: now(), target: spec.run, serviceConfig: {}, observed: true });
      own.push(
        await OwnClient.start(spec, topology, now, (end) => {
          emit({ type: 'own-client', client: end.name, t: now(), how: end.how });
          ended.abort(); // a client that exits early ends the run: its verdict is failed already
        }),
      );
    }
    clients.start();
    router?.series.start(); // after the clients that dial it, in the view's order too
    xds?.start();
    steps = scheduleSteps({ scenario, ctx: session.ctx, actions, now, emit });
    const stop = opts.signal ? AbortSignal.any([opts.signal, ended.signal]) : ended.signal;
    await sleep(scenario.durationMs, undefined, { signal: stop }).catch(() => undefined);
  } finally {
    endMs = now();
    steps?.cancel();
    const [, ends] = await Promise.all([clients.stop(1000), Promise.all(own.map((c) => c.stop()))]);
    ownEnds.push(...ends);
    await served?.stop();
    await xds?.poll().catch(() => undefined);
    xds?.stop();
    router?.series.stop();
    await router?.router.close();
    await steps?.settled();
    emit({ type: 'phase', phase: 'undo', t: now() });
    await session.undoAll((text, error) => emit({ type: 'undo', t: now(), text, ...(error ? { error } : {}) }));
    session.close();
  }
  const verdict = verdictOf(scenario, buckets, actions, endMs, !!opts.signal?.aborted, ownEnds);
  return { verdict, buckets, endMs, ownEnds, router: router?.series.label };
}

/** An action as a chart labels it: its kind and what it targets ("kill echo-1", "xds"). */
function shortOf(step: ActionStep): string {
  const target = (step.arg as { target?: unknown } | null)?.target;
  return typeof target === 'string' ? `${step.action.kind} ${target}` : step.action.kind;
}
