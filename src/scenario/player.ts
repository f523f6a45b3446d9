// Plays a scenario: brings the sandbox to the scenario's shape, starts its clients, runs each step
// at its time, then stops traffic, undoes what the scenario did (in reverse order, then a reconcile),
// evaluates the expectations and writes the report. Interrupting stops at once and still undoes and
// reports. The engine emits events; it knows no screen.
import { setTimeout as sleep } from 'node:timers/promises';
import { controlClient, type ControlClient } from '../grpc/protos.js';
import { LABEL, projectSelector, up, type ContainerRuntime, type SandboxEvent } from '../sandbox/index.js';
import { loadTopology } from '../topology/load.js';
import { TrafficClient, type TrafficClientSpec, type TrafficEvent } from '../traffic/index.js';
import { resolverOptions } from '../traffic/resolvers/lab-options.js';
import type { ActionContext } from './actions/index.js';
import type { Bucket } from './expectations/index.js';
import type { ActionStep, Scenario } from './model.js';
import { verdictOf, type ActionResult, type Verdict } from './verdict.js';

export type PlayEvent =
  | TrafficEvent
  | { type: 'sandbox'; event: SandboxEvent }
  | { type: 'phase'; phase: 'sandbox' | 'traffic' | 'undo' | 'report' | 'done'; t: number }
  | { type: 'step'; t: number; index: number; kind: 'action' | 'expect'; text: string; error?: string }
  | { type: 'undo'; t: number; text: string; error?: string };

export interface PlayOptions {
  rt: ContainerRuntime;
  topologyFile: string;
  signal?: AbortSignal;
  onEvent?: (e: PlayEvent) => void;
  bucketMs?: number;
  /** The clients' bucket series, filled as the run goes (each bucket before its event is emitted),
   * for callers that show the run live. */
  buckets?: Map<string, Bucket[]>;
}

export interface PlayResult {
  verdict: Verdict;
  events: PlayEvent[];
  buckets: Map<string, Bucket[]>;
  endMs: number;
}

export async function play(scenario: Scenario, opts: PlayOptions): Promise<PlayResult> {
  const events: PlayEvent[] = [];
  let t0 = performance.now();
  const now = () => Math.round(performance.now() - t0);
  const emit = (e: PlayEvent) => {
    events.push(e);
    opts.onEvent?.(e);
  };
  const { rt } = opts;
  const topology = loadTopology(opts.topologyFile, { echo: scenario.echo, etcd: scenario.etcd });

  emit({ type: 'phase', phase: 'sandbox', t: 0 });
  await up(rt, topology, { onEvent: (event) => emit({ type: 'sandbox', event }), signal: opts.signal });

  const controls = new Map<string, ControlClient>();
  const undos: Array<{ text: string; fn: () => Promise<void> }> = [];
  let current = topology;
  const ctx: ActionContext = {
    rt,
    get topology() {
      return current;
    },
    async container(instance) {
      const [c] = await rt.listContainers({ ...projectSelector(topology.project), [LABEL.instance]: instance });
      if (!c) throw new Error(`${instance} has no container (was it scaled away?)`);
      return c;
    },
    control(instance) {
      let c = controls.get(instance);
      if (!c) {
        const inst = current.instances.find((i) => i.name === instance);
        if (!inst) throw new Error(`${instance} is not in the sandbox`);
        controls.set(instance, (c = controlClient(inst.controlAddress)));
      }
      return c;
    },
    async scaleTo(echo) {
      current = loadTopology(opts.topologyFile, { echo, etcd: scenario.etcd });
      await up(rt, current, { signal: opts.signal });
    },
    undo: (text, fn) => undos.push({ text, fn }),
    setServiceConfig: () => {
      throw new Error('traffic has not started');
    },
  };

  const buckets = opts.buckets ?? new Map<string, Bucket[]>();
  const channelOptions = resolverOptions({ etcd: topology.etcd.hostAddress, etcdPrefix: topology.registration.etcdPrefix, consul: topology.consul.hostAddress });
  const makeClient = (spec: TrafficClientSpec) => {
    const c = new TrafficClient({ ...spec, bucketMs: opts.bucketMs ?? 250, channelOptions: { ...spec.channelOptions, ...channelOptions } });
    if (!buckets.has(spec.name)) buckets.set(spec.name, []);
    c.on('event', (e) => {
      // Client times count from the scenario's start of traffic, like the steps'.
      const stamped = { ...e, t: now() } as TrafficEvent;
      if (stamped.type === 'bucket') buckets.get(spec.name)!.push({ t: stamped.t, total: stamped.total, backends: stamped.backends });
      emit(stamped);
    });
    return c;
  };
  const clients = scenario.clients.map(makeClient);
  let trafficRunning = false;
  ctx.setServiceConfig = (name, serviceConfig) => {
    const i = clients.findIndex((c) => c.spec.name === name);
    const old = clients[i];
    if (!trafficRunning) return old.spec.serviceConfig;
    const next = makeClient({ ...old.spec, serviceConfig });
    next.start();
    clients[i] = next;
    void old.stop(500);
    return old.spec.serviceConfig;
  };

  const actions: ActionResult[] = scenario.steps.filter((s): s is ActionStep => s.kind === 'action').map((s) => ({ index: s.index, line: s.line, text: s.text, atMs: s.atMs }));
  const timers: NodeJS.Timeout[] = [];
  const running: Array<Promise<void>> = [];
  let endMs = 0;
  try {
    emit({ type: 'phase', phase: 'traffic', t: 0 });
    t0 = performance.now();
    trafficRunning = true;
    for (const c of clients) c.start();
    for (const step of scenario.steps) {
      timers.push(
        setTimeout(() => {
          if (step.kind === 'expect') return emit({ type: 'step', t: now(), index: step.index, kind: 'expect', text: step.text });
          const result = actions.find((a) => a.index === step.index)!;
          result.ranAtMs = now();
          const p = step.action.run(step.arg, ctx).then(
            (detail) => {
              if (detail) result.detail = detail;
              emit({ type: 'step', t: result.ranAtMs!, index: step.index, kind: 'action', text: detail ? `${step.text} (${detail})` : step.text });
            },
            (err: Error) => {
              result.error = err.message;
              emit({ type: 'step', t: result.ranAtMs!, index: step.index, kind: 'action', text: step.text, error: err.message });
            },
          );
          running.push(p);
        }, step.atMs),
      );
    }
    await sleep(scenario.durationMs, undefined, { signal: opts.signal }).catch(() => undefined);
  } finally {
    endMs = now();
    trafficRunning = false;
    for (const t of timers) clearTimeout(t);
    await Promise.allSettled(clients.map((c) => c.stop(1000)));
    await Promise.allSettled(running);
    emit({ type: 'phase', phase: 'undo', t: now() });
    for (const u of undos.reverse()) {
      try {
        await u.fn();
        emit({ type: 'undo', t: now(), text: u.text });
      } catch (err) {
        emit({ type: 'undo', t: now(), text: u.text, error: (err as Error).message });
      }
    }
    // And whatever else changed (a killed etcd, a container removed by hand): reconcile.
    await up(rt, topology).catch((err: Error) => emit({ type: 'undo', t: now(), text: 'reconcile the sandbox', error: err.message }));
    for (const c of controls.values()) c.close();
  }
  const verdict = verdictOf(scenario, buckets, actions, endMs, !!opts.signal?.aborted);
  emit({ type: 'phase', phase: 'done', t: now() });
  return { verdict, events, buckets, endMs };
}
