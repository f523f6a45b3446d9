// `lab watch` and `lab` alone: the view on a running sandbox (or, for `lab`, one it brings up with
// progress per service), with clients the user can switch and failures driven by keys; `s` picks a
// scenario from the library and plays it in the same view. q undoes what the keys did and leaves
// the sandbox running.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Key } from 'ink';
import { LabError } from '../errors.js';
import { runningShape, up } from '../sandbox/index.js';
import type { RunContext } from '../run/index.js';
import { loadScenario, servedSourcesOf, type SandboxSession } from '../scenario/index.js';
import { checkReportDir, reportDirFor } from '../report/index.js';
import { ServedWatcher, isXdsTarget, type TrafficClients, type TrafficClientSpec } from '../traffic/index.js';
import { xdsOptionsFor } from '../xds/index.js';
import { ClusterPoller } from './cluster-poller.js';
import { keyHandler } from './keys.js';
import { mountView, type ViewHandle } from './mount.js';
import { namesOf, playWithView, servicesOf } from './run-play.js';
import { initialView } from './state.js';
import { libraryDir } from '../util/project.js';

export interface WatchOptions {
  /** The topology file's run as the command opened it (its shape here follows what runs). */
  base: RunContext;
  clients: TrafficClientSpec[];
  /** Bring the sandbox up when it is not (lab alone); otherwise refuse (lab watch). */
  bringUp: boolean;
  signal: AbortSignal;
  /** Where `s` finds scenarios (default: scenarios/ in the working directory). */
  library?: string;
  /** Also show every client the echo servers see (server-side counts), the lab's own and others. */
  observe?: boolean;
}

/** Every client identity the servers count, as its own row ("round_robin@servers", "others@servers"). */
function observer(session: SandboxSession, now: () => number, dispatch: ViewHandle['dispatch']): ServedWatcher {
  const seen = new Set<string>();
  return new ServedWatcher({
    sources: () => servedSourcesOf(session),
    clientOf: (identity) => {
      const name = `${identity}@servers`;
      if (!seen.has(name)) {
        seen.add(name);
        const target = identity === 'others' ? 'calls without x-lab-client metadata' : `calls with x-lab-client: ${identity}`;
        dispatch({ type: 'client-started', client: name, t: now(), target, serviceConfig: {}, observed: true });
      }
      return name;
    },
    now,
    onEvent: (e) => dispatch(e),
  });
}

const isQuit = (input: string, key: Key) => input === 'q' || (key.ctrl && input === 'c');

export async function runWatch(opts: WatchOptions): Promise<void> {
  const rt = opts.base.rt;
  // Watch what runs: as many echo servers as there are now (lab up --echo N may have changed it), and the proxy or xDS when they run.
  const { running, ...shape } = await runningShape(rt, opts.base.topology.project);
  const wantsXds = opts.clients.some((c) => isXdsTarget(c.target));
  // `lab -t xds:///echo` brings the control plane up with the rest.
  const run = opts.base.withShape({ ...shape, ...(wantsXds && opts.bringUp ? { xds: true } : {}) });
  const topology = run.topology;
  if (!opts.bringUp && !running) {
    throw new LabError(`no lab sandbox is running (project ${topology.project})`, {
      hint: 'Start one with `lab up`, or run `lab` alone to bring it up in the view.',
    });
  }
  // Checked before the view opens: an xds: client needs the control plane running.
  for (const spec of opts.clients) xdsOptionsFor(topology, spec.name, spec.target);
  const library = opts.library ?? libraryDir();
  const quit = new AbortController();
  const stop = AbortSignal.any([quit.signal, opts.signal]);
  const watching = () => initialView({ title: opts.bringUp ? 'the lab' : 'watch', mode: 'watch', services: servicesOf(topology), names: namesOf(topology) });
  const view = mountView(watching(), { keys: true });
  // Until traffic runs, only quitting (the terminal is in raw mode, so Ctrl-C comes as a key).
  view.setKeys((input, key) => isQuit(input, key) && quit.abort());
  const session = run.openSession(stop);
  const now = run.clock.now;
  const poller = new ClusterPoller(
    run,
    () => session.ctx.topology,
    (services) => view.dispatch({ type: 'cluster', services }),
  );
  let clients: TrafficClients | undefined;
  let tick: NodeJS.Timeout | undefined;
  const served = opts.observe ? observer(session, now, (a) => view.dispatch(a)) : undefined;
  // With the control plane: what it knows of the view's xds: clients (ACKs, NACKs, load reports).
  const xds = wantsXds ? run.xdsWatcher((e) => view.dispatch(e)) : undefined;
  try {
    view.dispatch({ type: 'phase', phase: 'sandbox', t: 0 });
    await up(rt, topology, { onEvent: (event) => view.dispatch({ type: 'sandbox', event }), signal: stop, reach: run.reach });
    poller.start();
    // In this process, or where the sandbox runs them (a swarm's agents, in its overlay).
    clients = run.newClients({ onEvent: (e) => view.dispatch(e) });
    for (const spec of opts.clients) clients.add({ ...spec, channelOptions: { ...spec.channelOptions, ...xdsOptionsFor(topology, spec.name, spec.target) } });
    await clients.prepare();
    const watchKeys = withPicker({
      view,
      library,
      keys: keyHandler({ state: () => view.state, dispatch: (a) => view.dispatch(a), session, clients, quit: () => quit.abort() }),
      pick: (file) => {
        void playInWatch(file, { view, opts, session, clients: clients!, poller, back: () => view.setKeys(watchKeys), stop });
      },
    });
    view.setKeys(watchKeys);
    view.dispatch({ type: 'phase', phase: 'traffic', t: 0 });
    await served?.start();
    clients.start();
    xds?.start();
    tick = setInterval(() => view.state.mode === 'watch' && view.dispatch({ type: 'tick', nowMs: now() }), 250);
    await new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    if (tick) clearInterval(tick);
    view.setKeys(() => undefined);
    await clients?.stop(500);
    await served?.stop().catch(() => undefined);
    xds?.stop();
    poller.stop();
    view.dispatch({ type: 'phase', phase: 'undo', t: now() });
    await session.undoAll((text, error) => view.dispatch({ type: 'undo', t: now(), text, ...(error ? { error } : {}) }));
    session.close();
    await poller.poll().catch(() => undefined); // the last frame shows the sandbox as it is left
    poller.close();
    view.dispatch({ type: 'notice', text: 'left the sandbox running (lab down stops it)' });
    view.unmount();
    // The view had the alternate screen: say, on the terminal as it was, what was left behind.
    process.stdout.write('left the sandbox running (lab down stops it)\n');
  }
}

/** Wraps the watch keys with `s` (open the picker) and the picker's own keys while it is open. */
function withPicker({
  view,
  library,
  keys,
  pick,
}: {
  view: ViewHandle;
  library: string;
  keys: (input: string, key: Key) => void;
  pick: (file: string) => void;
}) {
  return (input: string, key: Key) => {
    const picker = view.state.picker;
    if (!picker) {
      if (input === 's') {
        let files: string[] = [];
        try {
          files = readdirSync(library)
            .filter((f) => f.endsWith('.yaml'))
            .sort();
        } catch {
          // no library: the picker says so
        }
        return view.dispatch({ type: 'picker', files });
      }
      return keys(input, key);
    }
    if (key.escape || input === 'q') return view.dispatch({ type: 'picker', close: true });
    if (key.upArrow) return view.dispatch({ type: 'picker', move: -1 });
    if (key.downArrow) return view.dispatch({ type: 'picker', move: 1 });
    if (key.return && picker.files.length) {
      view.dispatch({ type: 'picker', close: true });
      pick(path.join(library, picker.files[picker.selected]));
    }
  };
}

interface PlayInWatch {
  view: ViewHandle;
  opts: WatchOptions;
  session: SandboxSession;
  clients: TrafficClients;
  poller: ClusterPoller;
  back: () => void;
  stop: AbortSignal;
}

/** Pauses the watch's own traffic, plays the file in the view, then any key goes back to watching. */
async function playInWatch(file: string, w: PlayInWatch): Promise<void> {
  const { view, opts } = w;
  let scenario;
  let reportDir;
  try {
    scenario = loadScenario(file, opts.base.shape);
    reportDir = reportDirFor(scenario.name);
    checkReportDir(reportDir);
  } catch (err) {
    view.dispatch({ type: 'notice', text: `✖ ${(err as Error).message}`, level: 'error' });
    return;
  }
  const saved = view.state;
  await w.clients.pause();
  w.poller.stop();
  try {
    await playWithView(scenario, { run: opts.base.withShape(scenario.sandbox), signal: w.stop, reportDir, view });
  } catch (err) {
    view.dispatch({ type: 'notice', text: `✖ ${scenario.name}: ${(err as Error).message}`, level: 'error' });
  }
  if (w.stop.aborted) return;
  view.dispatch({ type: 'notice', text: 'any key goes back to watching' });
  view.setKeys(() => {
    // The scenario reconciled the sandbox to its own shape; watching resumes on what runs now.
    view.dispatch({ type: 'reset', state: { ...saved, verdict: undefined, picker: undefined, trafficPaused: false } });
    w.back();
    w.clients.resume();
    w.poller.start();
  });
}
