// `lab play FILE` on a terminal: the scenario runs under the view. Its steps are on the timeline with
// each expectation's live state; keys act on the scenario's own sandbox and clients (and are undone
// with the scenario's own actions); q stops the scenario as Ctrl-C does. The last frame stays.
import type { Key } from 'ink';
import type { ContainerRuntime } from '../sandbox/index.js';
import { play, type PlayResult } from '../scenario/player.js';
import type { Scenario } from '../scenario/model.js';
import { liveState } from '../scenario/verdict.js';
import type { Bucket } from '../scenario/expectations/index.js';
import { loadTopology } from '../topology/load.js';
import { ClusterPoller } from './cluster-poller.js';
import { seconds } from './format.js';
import { keyHandler } from './keys.js';
import { mountView, type ViewHandle } from './mount.js';
import { initialView, type StepState, type StepView } from './state.js';
import { namesOf, servicesOf } from './run-watch.js';

export interface PlayViewOptions {
  rt: ContainerRuntime;
  topologyFile: string;
  signal: AbortSignal;
  reportDir: string;
}

export function stepsOf(scenario: Scenario): StepView[] {
  return scenario.steps.map((s) => ({ index: s.index, atMs: s.atMs, kind: s.kind, text: s.text, state: 'pending' as StepState }));
}

/** Lines under the verdict: each expectation and each action's time to rebalance. */
export function verdictLines(result: PlayResult): string[] {
  const v = result.verdict;
  return [
    ...v.expectations.map((e) => `  ${e.ok ? '✔' : '✖'} ${seconds(e.atMs).padStart(6)}  ${e.text}${e.timeToHoldMs !== undefined ? `  (held after ${seconds(e.timeToHoldMs)})` : ''}${e.ok ? '' : `  — ${e.saw}`}`),
    ...v.actions.map((a) => `  ▲ ${seconds(a.atMs).padStart(6)}  ${a.text}${a.detail ? ` (${a.detail})` : ''}  ${a.error ? `failed: ${a.error}` : Object.entries(a.rebalanceMs ?? {}).map(([c, ms]) => `${c} ${ms === null ? 'did not settle' : `settled in ${seconds(ms)}`}`).join('  ')}`),
  ];
}

export async function playWithView(scenario: Scenario, opts: PlayViewOptions): Promise<{ result: PlayResult; view: ViewHandle }> {
  const topology = loadTopology(opts.topologyFile, { echo: scenario.echo, etcd: scenario.etcd });
  const quit = new AbortController();
  const signal = AbortSignal.any([quit.signal, opts.signal]);
  let onKey = (input: string, key: Key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) quit.abort(new Error('q'));
  };
  const view = mountView(
    initialView({ title: `${scenario.name} (${scenario.file})`, mode: 'play', durationMs: scenario.durationMs, services: servicesOf(topology), steps: stepsOf(scenario), names: namesOf(topology) }),
    { onKey: (input, key) => onKey(input, key) },
  );
  let currentTopology = () => topology;
  const poller = new ClusterPoller(opts.rt, () => currentTopology(), (services) => view.dispatch({ type: 'cluster', services }));
  const buckets = new Map<string, Bucket[]>();
  const expects = scenario.steps.filter((s) => s.kind === 'expect');
  const final = new Set<number>();
  let now = () => 0;
  let tick: NodeJS.Timeout | undefined;
  const evaluate = () => {
    const t = now();
    view.dispatch({ type: 'tick', nowMs: t });
    for (const step of expects) {
      if (final.has(step.index) || t < step.atMs) continue;
      const live = liveState(step, buckets.get(step.client) ?? [], t);
      if (live.state === 'passed' || live.state === 'failed') final.add(step.index);
      view.dispatch({ type: 'expect-state', index: step.index, state: live.state, rebalanceMs: live.timeToHoldMs, detail: live.state === 'failed' ? live.saw : undefined });
    }
  };
  let result: PlayResult;
  try {
    poller.start();
    result = await play(scenario, {
      rt: opts.rt,
      topologyFile: opts.topologyFile,
      signal,
      buckets,
      onEvent: (e) => view.dispatch(e),
      onStart: (live) => {
        now = live.now;
        currentTopology = () => live.session.ctx.topology;
        onKey = keyHandler({ state: () => view.state, dispatch: (a) => view.dispatch(a), session: live.session, clients: live.clients, quit: () => quit.abort(new Error('q')) });
        tick = setInterval(evaluate, 500);
      },
    });
  } finally {
    if (tick) clearInterval(tick);
    onKey = () => undefined;
    poller.stop();
  }
  await poller.poll().catch(() => undefined); // the last frame shows the sandbox as it is left
  poller.close();
  // The final states come from the verdict itself.
  for (const e of result.verdict.expectations) view.dispatch({ type: 'expect-state', index: e.index, state: e.ok ? 'passed' : 'failed', rebalanceMs: e.timeToHoldMs, detail: e.ok ? undefined : e.saw });
  for (const a of result.verdict.actions) {
    const settled = Object.values(a.rebalanceMs ?? {}).filter((x): x is number => x !== null);
    if (settled.length) view.dispatch({ type: 'action-settled', index: a.index, rebalanceMs: Math.max(...settled) });
  }
  view.dispatch({ type: 'verdict', ok: result.verdict.ok, interrupted: result.verdict.interrupted, report: `${opts.reportDir}/summary.md`, lines: verdictLines(result) });
  view.unmount();
  return { result, view };
}
