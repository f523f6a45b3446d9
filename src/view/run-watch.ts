// `lab watch` and `lab` alone: the view on a running sandbox (or, for `lab`, one it brings up with
// progress per service), with clients the user can switch and failures driven by keys. q undoes what
// the keys did and leaves the sandbox running.
import type { Key } from 'ink';
import { LabError } from '../errors.js';
import { projectSelector, up, type ContainerRuntime } from '../sandbox/index.js';
import { sandboxSession } from '../scenario/session.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/types.js';
import { ClientSet } from '../traffic/driver/client-set.js';
import type { TrafficClientSpec } from '../traffic/index.js';
import { resolverOptions } from '../traffic/resolvers/lab-options.js';
import { ClusterPoller } from './cluster-poller.js';
import { keyHandler } from './keys.js';
import { mountView } from './mount.js';
import { initialView, type ServiceView } from './state.js';

export interface WatchOptions {
  rt: ContainerRuntime;
  topologyFile: string;
  clients: TrafficClientSpec[];
  /** Bring the sandbox up when it is not (lab alone); otherwise refuse (lab watch). */
  bringUp: boolean;
  signal: AbortSignal;
}

export function servicesOf(t: Topology): ServiceView[] {
  return t.instances.map((i) => ({ name: i.name, role: i.role, hostAddress: i.hostAddress, container: 'absent', progress: 'pending' }));
}

export const namesOf = (t: Topology) => Object.fromEntries(t.instances.map((i) => [i.hostAddress, i.name]));

export async function runWatch(opts: WatchOptions): Promise<void> {
  const { rt } = opts;
  const existing = await rt.listContainers(projectSelector(loadTopology(opts.topologyFile).project));
  // Watch what runs: as many echo servers as there are now (lab up --echo N may have changed it).
  const echoes = existing.filter((c) => c.labels['dev.lab.role'] === 'echo').length;
  const topology = loadTopology(opts.topologyFile, echoes ? { echo: echoes } : {});
  if (!opts.bringUp && !existing.some((c) => c.state === 'running')) {
    throw new LabError(`no lab sandbox is running (project ${topology.project})`, { hint: 'Start one with `lab up`, or run `lab` alone to bring it up in the view.' });
  }
  const quit = new AbortController();
  const stop = AbortSignal.any([quit.signal, opts.signal]);
  // Until traffic runs, only quitting: q or Ctrl-C (the terminal is in raw mode, so no SIGINT).
  let onKey = (input: string, key: Key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) quit.abort();
  };
  const view = mountView(initialView({ title: opts.bringUp ? 'the lab' : 'watch', mode: 'watch', services: servicesOf(topology), names: namesOf(topology) }), {
    onKey: (input, key) => onKey(input, key),
  });
  const session = sandboxSession(rt, opts.topologyFile, topology, {}, stop);
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0);
  const poller = new ClusterPoller(rt, () => session.ctx.topology, (services) => view.dispatch({ type: 'cluster', services }));
  let clients: ClientSet | undefined;
  try {
    view.dispatch({ type: 'phase', phase: 'sandbox', t: 0 });
    await up(rt, topology, { onEvent: (event) => view.dispatch({ type: 'sandbox', event }), signal: stop });
    poller.start();
    clients = new ClientSet({
      channelOptions: resolverOptions({ etcd: topology.etcd.hostAddress, etcdPrefix: topology.registration.etcdPrefix, consul: topology.consul.hostAddress }),
      now,
      onEvent: (e) => view.dispatch(e),
    });
    for (const spec of opts.clients) clients.add(spec);
    session.ctx.setServiceConfig = (name, cfg) => clients!.setServiceConfig(name, cfg);
    onKey = keyHandler({ state: () => view.state, dispatch: (a) => view.dispatch(a), session, clients, quit: () => quit.abort() });
    view.dispatch({ type: 'phase', phase: 'traffic', t: 0 });
    clients.start();
    const tick = setInterval(() => view.dispatch({ type: 'tick', nowMs: now() }), 250);
    await new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
    clearInterval(tick);
  } finally {
    onKey = () => undefined;
    await clients?.stop(500);
    poller.stop();
    view.dispatch({ type: 'phase', phase: 'undo', t: now() });
    await session.undoAll((text, error) => view.dispatch({ type: 'undo', t: now(), text, ...(error ? { error } : {}) }));
    session.close();
    await poller.poll().catch(() => undefined); // the last frame shows the sandbox as it is left
    poller.close();
    view.dispatch({ type: 'notice', text: 'left the sandbox running (lab down stops it)' });
    view.unmount();
  }
}
