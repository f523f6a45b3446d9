// `lab up`: reconcile Docker to the topology. Idempotent: a container whose config hash matches is
// kept; a changed one is recreated; extras are removed. On any failure or interrupt, what this run
// created is removed again, so no half-started cluster is left behind.
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { bulkhead } from 'cockatiel';
import { EXIT, LabError, ReadinessError, EnvironmentError } from '../errors.js';
import type { InstanceSpec, Topology } from '../topology/index.js';
import { keepAliveWhile } from '../util/keep-alive.js';
import { log } from '../util/log.js';
import { containerName, planContainer } from './container-plan.js';
import type { InstanceAction, SandboxListener } from './events.js';
import { resolveImage, type ImageEvent } from './images/index.js';
import { LABEL, projectSelector } from './labels.js';
import { ensureNetwork } from './network.js';
import { bindProblem } from './ports.js';
import { readinessOf } from './readiness.js';
import { EtcdReader } from './registry/etcd-reader.js';
import { RegistrySnapshot } from './registry/registry-snapshot.js';
import { SharedReads } from './wait/shared-reads.js';
import { PING_TIMEOUT_MS, reachFor, type ContainerInfo, type ContainerRuntime, type Reach } from './runtime/container-runtime.js';
import { WaitTimeout, waitUntil } from './wait/wait-strategy.js';
import { recordShape } from './shape.js';

export interface UpOptions {
  onEvent?: SandboxListener;
  signal?: AbortSignal;
  /**
   * Create only the instances that have no container, and remove extras; leave every other container
   * as it is. A scenario's `scale` uses this: an instance the scenario stopped, or is restarting at
   * that moment, is not the scale step's business.
   */
  onlyMissing?: boolean;
  /** How this process dials into the sandbox: the engine's (required on a swarm; on one engine, every address as it is). */
  reach?: Reach;
}

export interface UpInstance {
  name: string;
  role: InstanceSpec['role'];
  id: string;
  action: InstanceAction;
  hostAddress: string;
  clusterAddress: string;
  image: string;
}

export interface UpResult {
  project: string;
  session: string;
  network: string;
  instances: UpInstance[];
  removed: string[];
  ms: number;
}

/**
 * Held open while it works (keep-alive.ts): a fetch to a published port whose container is still
 * starting left node no handle to wait on, and an in-process `up` (a test's) was dropped mid-way.
 */
export const up = (rt: ContainerRuntime, t: Topology, opts: UpOptions = {}): Promise<UpResult> => keepAliveWhile(() => bringUp(rt, t, opts));

async function bringUp(rt: ContainerRuntime, t: Topology, opts: UpOptions): Promise<UpResult> {
  const started = Date.now();
  const reach = reachFor(rt, opts.reach);
  const emit = opts.onEvent ?? (() => undefined);
  await rt.ping(PING_TIMEOUT_MS);
  const existing = new Map<string, ContainerInfo>();
  for (const c of await rt.listContainers(projectSelector(t.project))) existing.set(c.labels[LABEL.instance] ?? c.name, c);

  const images = await resolveImages(rt, t, emit);
  const todo = opts.onlyMissing ? { ...t, instances: t.instances.filter((i) => changedByScale(t, i, images.get(i.name)!, existing.get(i.name))) } : t;
  await checkPorts(todo, existing);
  opts.signal?.throwIfAborted();

  // Network and containers. Track what this run creates, to undo it on failure.
  const net = await ensureNetwork(rt, t.project, t.network);
  emit({ type: 'network', name: t.network, state: net.created ? 'created' : 'kept' });
  const createdIds: string[] = [];
  const etcd = new EtcdReader(reach(t.etcd.hostAddress));
  const reads = new SharedReads();
  const registries = new RegistrySnapshot(reads, etcd, reach(t.consul.hostAddress));
  let result: UpInstance[];
  let removed: string[];
  try {
    removed = await removeExtras(rt, t, existing, emit);
    const reconcile = (inst: InstanceSpec, anew = false) =>
      reconcileOne(rt, t, inst, images.get(inst.name)!, net.session, existing.get(inst.name), createdIds, anew);
    result = await startAndAwait(rt, todo, reconcile, emit, { registries, reads, reach }, opts.signal);
  } catch (err) {
    log('up', 'failed; removing what this run created', { created: createdIds.length, error: (err as Error).message });
    await Promise.allSettled(createdIds.map((id) => rt.removeContainer(id)));
    if (net.created) await rt.removeNetwork(net.id).catch(() => undefined);
    if (opts.signal?.aborted) throw new LabError('interrupted: removed the containers this `up` had started.', { exitCode: EXIT.interrupted, cause: err });
    throw err;
  } finally {
    etcd.close();
  }
  recordShape(t, net.session);
  const order = new Map(t.instances.map((i, n) => [i.name, n]));
  result.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  return { project: t.project, session: net.session, network: t.network, instances: result, removed, ms: Date.now() - started };
}

/**
 * What a scale step brings up: a new instance, and a running non-echo service whose plan changed
 * (HAProxy's slot count follows the number of echo servers). Extras are removed by the caller.
 */
function changedByScale(t: Topology, inst: InstanceSpec, image: string, have: ContainerInfo | undefined): boolean {
  if (!have) return true;
  if (inst.role === 'echo' || have.state !== 'running') return false;
  return have.labels[LABEL.configHash] !== planContainer(t, inst, image, '').labels[LABEL.configHash];
}

/** Refuses before starting anything when an address the lab needs is taken by someone else. */
async function checkPorts(t: Topology, existing: Map<string, ContainerInfo>): Promise<void> {
  for (const inst of t.instances) {
    const ours = existing.get(inst.name);
    if (ours && ours.state !== 'exited' && ours.state !== 'created' && ours.state !== 'dead') continue;
    for (const p of inst.ports) {
      const problem = await bindProblem(p);
      if (!problem) continue;
      const inUse = problem === 'EADDRINUSE';
      throw new EnvironmentError(
        `${inst.name} cannot publish ${p.hostIp}:${p.hostPort}/${p.protocol}: ${inUse ? 'the address is in use by another program' : problem}.`,
        {
          hint: inUse
            ? `Find who holds it: ss -lntup 'sport = :${p.hostPort}'. Stop it, or change the address in ${t.file}.`
            : `Check ${p.hostIp} is a loopback address this machine can bind, or change it in ${t.file}.`,
        },
      );
    }
  }
}

/** Each instance's image reference: one resolution per distinct image, shared by replicas. */
async function resolveImages(rt: ContainerRuntime, t: Topology, emit: SandboxListener): Promise<Map<string, string>> {
  const byImage = new Map<string, Promise<string>>();
  const imageFor = (inst: InstanceSpec) => {
    const key = `${inst.image.ref}|${inst.image.assemble ?? ''}|${inst.image.pull}`;
    let p = byImage.get(key);
    if (!p) {
      const onImage = (e: ImageEvent) =>
        emit({
          type: 'image',
          service: inst.service,
          state: e.kind,
          ref: e.ref,
          ms: 'ms' in e ? e.ms : undefined,
          progress: 'progress' in e ? e.progress : undefined,
        });
      byImage.set(key, (p = resolveImage(rt, inst.image, onImage)));
    }
    return p;
  };
  const resolved = new Map<string, string>();
  await Promise.all(t.instances.map(async (inst) => resolved.set(inst.name, await imageFor(inst))));
  return resolved;
}

/** Removes labelled containers the topology no longer has. Scale-down is graceful: SIGTERM lets an echo server deregister. */
async function removeExtras(rt: ContainerRuntime, t: Topology, existing: Map<string, ContainerInfo>, emit: SandboxListener): Promise<string[]> {
  const wanted = new Set(t.instances.map((i) => i.name));
  const removed: string[] = [];
  await Promise.all(
    [...existing.entries()]
      .filter(([name]) => !wanted.has(name))
      .map(async ([name, c]) => {
        if (c.state === 'running') await rt.stopContainer(c.id, 2).catch(() => undefined);
        await rt.removeContainer(c.id);
        removed.push(name);
        emit({ type: 'instance', instance: name, role: c.labels[LABEL.role], state: 'removed' });
      }),
  );
  return removed;
}

/** What every wait of one `up` shares. */
interface Shared {
  registries: RegistrySnapshot;
  reads: SharedReads;
  reach: Reach;
}

/**
 * Reconciles every container and awaits each one's readiness on its own, so fast ones are ready while
 * slow ones still start; the first failure stops the others' waits. The registries' containers go to
 * Docker first: echo servers register in them, and Docker starts containers roughly in the order asked.
 */
async function startAndAwait(
  rt: ContainerRuntime,
  t: Topology,
  reconcile: (inst: InstanceSpec, anew?: boolean) => Promise<UpInstance>,
  emit: SandboxListener,
  shared: Shared,
  outer?: AbortSignal,
): Promise<UpInstance[]> {
  const stopOthers = new AbortController();
  const signal = AbortSignal.any([stopOthers.signal, ...(outer ? [outer] : [])]);
  // Every instance's wait listens on it (100 echo servers: 100 listeners), which is no leak.
  setMaxListeners(0, signal);
  const reconciling = new Map(t.instances.filter((i) => i.role !== 'echo' && !i.joins).map((i) => [i.name, reconcile(i)]));
  const registriesStarted = Promise.allSettled(reconciling.values());
  // Which echo servers Consul knew before any starts: those wait out their old check (readiness.ts).
  const registeredBefore = registriesStarted.then(() => consulRegistered(t, shared.registries));
  // Echo servers start a few at a time, each holding its slot until it is ready: a hundred node
  // processes starting at once on two cores starved each other, and etcd and Consul with them,
  // until leases lapsed and checks timed out (lab up --echo 100 failed so).
  const slots = bulkhead(START_SLOTS, Infinity);
  /** Servers of yours whose readiness must first outwait a probe round of their sidecar, in ms. */
  const settle = new Map<string, number>();
  const started = (inst: InstanceSpec, ready: (r: UpInstance) => Promise<void>) =>
    inst.role === 'echo'
      ? slots.execute(async () => {
          await registriesStarted;
          signal.throwIfAborted(); // another failed meanwhile: start no more
          const r = await reconcile(inst);
          await ready(r);
        })
      : inst.joins
        ? // A server joins its sidecar's network namespace: after it, and made again when the sidecar's namespace is new.
          (reconciling.get(inst.joins) ?? Promise.resolve(undefined)).then(async (sidecar) => {
            const sidecarAsWas = !sidecar || sidecar.action === 'kept' || sidecar.action === 'unpaused';
            const r = await reconcile(inst, !sidecarAsWas);
            // A server started anew beside a sidecar that kept running: until the sidecar's next probe
            // its health (and the registrations) still say what it found of the old one.
            if (sidecarAsWas && r.action !== 'kept' && r.action !== 'unpaused' && inst.sidecarProbeMs) settle.set(inst.name, inst.sidecarProbeMs);
            await ready(r);
          })
        : reconciling.get(inst.name)!.then(ready);
  const result: UpInstance[] = [];
  const settled = await Promise.allSettled(
    t.instances.map(async (inst) => {
      try {
        await started(inst, async (r) => {
          emit({ type: 'instance', instance: inst.name, role: inst.role, state: r.action });
          result.push(r);
          // Only a registration made again can be hit by its old check: a container kept or unpaused keeps its own.
          const again = inst.role === 'echo' && (r.action === 'created' || r.action === 'recreated' || r.action === 'started');
          const before = again && (await registeredBefore).has(inst.name);
          await awaitReady(rt, t, { inst, id: r.id, registeredBefore: before, settleMs: settle.get(inst.name) ?? 0 }, emit, signal, shared);
        });
      } catch (err) {
        stopOthers.abort(err);
        throw err;
      }
    }),
  );
  const failure = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected' && !isAbort(x.reason));
  const first = failure ?? settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (first) throw first.reason;
  return result;
}

/** The echo ids Consul has registered now, for every service of the topology's echo servers (none when it does not answer: a Consul that is starting has none). */
async function consulRegistered(t: Topology, registries: RegistrySnapshot): Promise<Set<string>> {
  const services = [...new Set(t.instances.filter((i) => i.role === 'echo').map((i) => i.service))];
  const ids = await Promise.all(services.map((s) => registries.consulRegistered(s, AbortSignal.timeout(2000)).catch(() => new Set<string>())));
  return new Set(ids.flatMap((set) => [...set]));
}

/** Echo servers starting at once: enough to keep Docker busy, few enough that each gets CPU. */
const START_SLOTS = Math.max(8, os.cpus().length * 6);

const isAbort = (err: unknown) => (err as Error)?.name === 'AbortError';

/** Brings one container to its planned state; returns what was done. */
async function reconcileOne(
  rt: ContainerRuntime,
  t: Topology,
  inst: InstanceSpec,
  image: string,
  session: string,
  have: ContainerInfo | undefined,
  createdIds: string[],
  /** Made again even when unchanged (a server whose sidecar's network namespace is new). */
  anew = false,
): Promise<UpInstance> {
  const spec = planContainer(t, inst, image, session);
  let id: string;
  let action: InstanceAction;
  if (have && !anew && have.labels[LABEL.configHash] === spec.labels[LABEL.configHash]) {
    id = have.id;
    if (have.state === 'running') action = 'kept';
    else if (have.state === 'paused') {
      await rt.unpauseContainer(id);
      action = 'unpaused';
    } else {
      await rt.startContainer(id);
      action = 'started';
    }
  } else {
    if (have) await rt.removeContainer(have.id);
    id = await rt.createContainer(spec);
    createdIds.push(id);
    await rt.startContainer(id);
    action = have ? 'recreated' : 'created';
  }
  return { name: inst.name, role: inst.role, id, action, hostAddress: inst.hostAddress, clusterAddress: inst.clusterAddress, image: spec.image };
}

/** Waits for one container's readiness; a container that dies while awaited fails fast with its logs. */
async function awaitReady(
  rt: ContainerRuntime,
  t: Topology,
  { inst, id, registeredBefore, settleMs }: { inst: InstanceSpec; id: string; registeredBefore: boolean; settleMs: number },
  emit: SandboxListener,
  signal: AbortSignal,
  shared: Shared,
): Promise<void> {
  const { strategy, timeoutMs } = readinessOf(t, inst, shared.registries, shared.reach, { registeredBefore, settleMs });
  const t0 = Date.now();
  emit({ type: 'instance', instance: inst.name, role: inst.role, state: 'waiting', detail: strategy.what });
  try {
    await waitUntil(strategy, {
      timeoutMs,
      signal,
      fatal: async () => {
        // One listing of the project's containers answers every wait; only a dead one is inspected.
        const all = await shared.reads.get('containers', 500, () => rt.listContainers(projectSelector(t.project))).catch(() => undefined);
        const mine = all?.find((c) => c.id === id);
        if (all && mine && mine.state !== 'exited' && mine.state !== 'dead') return undefined;
        if (!all) return undefined;
        // Dead or missing in the listing (which may be older than the container): asked of it alone.
        const s = await rt.inspectContainer(id).catch(() => undefined);
        if (!s) return 'the container is gone';
        return s.state === 'exited' || s.state === 'dead' ? `the container exited with code ${s.exitCode}` : undefined;
      },
    });
  } catch (err) {
    if (!(err instanceof WaitTimeout)) throw err;
    const tail = await rt.logs(id, 15);
    emit({ type: 'instance', instance: inst.name, role: inst.role, state: 'failed', detail: err.message });
    throw new ReadinessError(`${inst.name} did not come up: ${err.message}.`, inst.name, tail, {
      hint: `Its last log lines are above. Full logs: docker logs ${containerName(t.project, inst.name)}`,
    });
  }
  emit({ type: 'instance', instance: inst.name, role: inst.role, state: 'ready', ms: Date.now() - t0 });
}
