// A scenario played under the view (`lab play FILE` on a terminal, or `s` in `lab`/`lab watch`): its
// steps on the timeline with each expectation's live state; keys act on the scenario's own sandbox
// and clients (and are undone with the scenario's own actions); q stops the scenario as Ctrl-C does.
import type { RunContext } from '../run/index.js';
import { play, type PlayResult, type Scenario, liveState, type Bucket } from '../scenario/index.js';
import { runRecordOf, writeReport, heldText, settledText, slowestSettle } from '../report/index.js';
import type { Topology } from '../topology/index.js';
import { ClusterPoller } from './cluster-poller.js';
import { seconds } from './format.js';
import { keyHandler } from './keys.js';
import { mountView, type ViewHandle } from './mount.js';
import { initialView, type ServiceView, type StepState, type StepView } from './state.js';

export interface PlayViewOptions {
  /** The run, in the scenario's shape (RunContext.withShape(scenario.sandbox)). */
  run: RunContext;
  signal: AbortSignal;
  reportDir: string;
  /** Play in this view (it stays mounted); otherwise one is mounted and unmounted here. */
  view?: ViewHandle;
}

/** The rows of the cluster panel: every instance but the sidecars (a server of yours is one row, its sidecar speaks for it). */
export function servicesOf(t: Topology): ServiceView[] {
  return t.instances
    .filter((i) => i.role !== 'sidecar')
    .map((i) => ({ name: i.name, role: i.role, hostAddress: i.hostAddress, container: 'absent', progress: 'pending' }));
}

/** Host address → the instance it names: a server of yours' address is its own, never its sidecar's (they share it). */
export const namesOf = (t: Topology) => Object.fromEntries(t.instances.filter((i) => i.role !== 'sidecar').map((i) => [i.hostAddress, i.name]));

export function stepsOf(scenario: Scenario): StepView[] {
  return scenario.steps.map((s) => ({ index: s.index, atMs: s.atMs, kind: s.kind, text: s.text, state: 'pending' as StepState }));
}

/** Lines under the verdict: each expectation and each action's time to rebalance. */
export function verdictLines(result: PlayResult): string[] {
  const v = result.verdict;
  return [
    ...v.expectations.map(
      (e) =>
        `  ${e.ok ? '✔' : e.state === 'not-judged' ? '?' : '✖'} ${seconds(e.atMs).padStart(6)}  ${e.text}${heldText(e) ? `  (${heldText(e)})` : ''}${e.ok ? '' : `  — ${e.state === 'not-judged' ? 'not judged: ' : ''}${e.saw}`}`,
    ),
    ...v.actions.map(
      (a) =>
        `  ▲ ${seconds(a.atMs).padStart(6)}  ${a.text}${a.detail ? ` (${a.detail})` : ''}  ${a.error ? `failed: ${a.error}` : a.ranAtMs === undefined ? 'not reached' : settledText(a)}`,
    ),
  ];
}

/** Plays the scenario under the view, writes its report, and leaves the verdict on screen. */
export async function playWithView(scenario: Scenario, opts: PlayViewOptions): Promise<PlayResult> {
  const { run } = opts;
  const topology = run.topology;
  const quit = new AbortController();
  const signal = AbortSignal.any([quit.signal, opts.signal]);
  const start = initialView({
    title: `${scenario.name} (${scenario.file})`,
    mode: 'play',
    durationMs: scenario.durationMs,
    services: servicesOf(topology),
    steps: stepsOf(scenario),
    names: namesOf(topology),
  });
  const view = opts.view ?? mountView(start, { keys: true });
  if (opts.view) view.dispatch({ type: 'reset', state: start });
  // Until traffic runs, only stopping: q or Ctrl-C (the terminal is in raw mode, so no SIGINT).
  view.setKeys((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) quit.abort(new Error('q'));
  });
  const poller = new ClusterPoller(
    run,
    () => run.session?.ctx.topology ?? topology,
    (services) => view.dispatch({ type: 'cluster', services }),
  );
  const buckets = new Map<string, Bucket[]>();
  const expects = scenario.steps.filter((s) => s.kind === 'expect');
  const final = new Set<number>();
  let traffic = false;
  const now = () => (traffic ? run.clock.now() : 0);
  let tick: NodeJS.Timeout | undefined;
  const evaluate = () => {
    const t = now();
    view.dispatch({ type: 'tick', nowMs: t });
    for (const step of expects) {
      if (final.has(step.index) || t < step.atMs) continue;
      const live = liveState(step, buckets.get(step.client) ?? [], t);
      if (live.state === 'passed' || live.state === 'failed') final.add(step.index);
      view.dispatch({
        type: 'expect-state',
        index: step.index,
        state: live.state,
        rebalanceMs: live.timeToHoldMs,
        detail: live.state === 'failed' ? live.saw : undefined,
      });
    }
  };
  let result: PlayResult;
  try {
    poller.start();
    result = await play(scenario, {
      run,
      signal,
      buckets,
      onEvent: (e) => {
        view.dispatch(e);
        // Traffic runs: the keys act on the run's own session and clients (undone with its actions).
        if (e.type === 'phase' && e.phase === 'traffic') {
          traffic = true;
          view.setKeys(
            keyHandler({
              state: () => view.state,
              dispatch: (a) => view.dispatch(a),
              session: run.session!,
              clients: run.clients!,
              quit: () => quit.abort(new Error('q')),
            }),
          );
          tick = setInterval(evaluate, 500);
        }
      },
    });
  } catch (err) {
    // The sandbox did not come up (a port taken, a readiness timeout, q while it came up): the view
    // lets go of the terminal (raw mode, its frame timer) so the error is read and the process ends.
    poller.close();
    if (!opts.view) view.unmount();
    throw err;
  } finally {
    if (tick) clearInterval(tick);
    view.setKeys(() => undefined);
    poller.stop();
  }
  await poller.poll().catch(() => undefined); // the last frame shows the sandbox as it is left
  poller.close();
  writeReport(opts.reportDir, runRecordOf(scenario, result));
  // The final states come from the verdict itself.
  for (const e of result.verdict.expectations)
    view.dispatch({
      type: 'expect-state',
      index: e.index,
      state: e.ok ? 'passed' : e.state === 'not-judged' ? 'not-judged' : 'failed',
      rebalanceMs: e.timeToHoldMs,
      detail: e.ok ? undefined : e.saw,
    });
  for (const a of result.verdict.actions) {
    const slowest = slowestSettle(a);
    if (slowest !== undefined) view.dispatch({ type: 'action-settled', index: a.index, rebalanceMs: slowest });
  }
  view.dispatch({
    type: 'verdict',
    ok: result.verdict.ok,
    interrupted: result.verdict.interrupted,
    report: `${opts.reportDir}/report.html`,
    lines: verdictLines(result),
  });
  if (!opts.view) view.unmount();
  return result;
}
