// `lab check --explain`: the model the checker built, as a person reads it: who exists and in what
// state after each step, who each client reaches, and for each expectation the windows it will be
// judged on and by when its verdict is known.
import type { Scenario } from '../model.js';
import { seconds } from '../../util/time-text.js';
import { dialled, isUp } from './reach.js';
import { frontsOf } from './fronts.js';
import type { Topology } from '../../topology/index.js';
import { processWords, type SandboxModel } from './sandbox-model.js';

/** An instance's state in a word or two: running, frozen, not running, cut off. */
function stateOf(m: SandboxModel, name: string): string {
  const i = m.instances.get(name);
  if (!i) return 'absent';
  return [processWords(i.process), i.partitioned ? 'cut off' : ''].filter(Boolean).join(', ');
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

function reachOf(s: Scenario, m: SandboxModel, client: string, t: Topology): string {
  const c = m.clients.get(client)!;
  const r = dialled(c, m, frontsOf(t));
  const up = r.dialled.filter((n) => isUp(m.instances.get(n)!, m.atMs)).sort(byName);
  const down = r.dialled.filter((n) => !up.includes(n)).sort(byName);
  return `${up.join(', ') || 'no backend'}${down.length ? ` (down: ${down.join(', ')})` : ''}${r.external ? ' and servers outside the sandbox' : ''}`;
}

export function explainLines(s: Scenario, t: Topology): string[] {
  const out: string[] = [];
  const start = s.timeline.start;
  out.push(`${s.file} · ${s.name} · ${seconds(s.durationMs)} · ${s.clients.length + s.observed.length} client(s)`);
  out.push('', 'At the start');
  out.push(`  ${[...start.instances.keys()].map((n) => `${n} ${stateOf(start, n)}`).join(', ')}`);
  for (const c of s.clients) out.push(`  ${c.name} → ${c.target} reaches ${reachOf(s, start, c.name, t)}`);
  for (const o of s.observed) out.push(`  ${o.name} → your command (${o.run}), seen from the servers as "${o.tag}"`);
  out.push('', 'Timeline (the sandbox after each step)');
  if (!s.timeline.after.length) out.push('  (no action steps)');
  let before = start;
  for (const { step, model } of s.timeline.after) {
    const changed = [...new Set([...before.instances.keys(), ...model.instances.keys()])]
      .filter((n) => stateOf(before, n) !== stateOf(model, n))
      .map((n) => `${n} ${stateOf(model, n)}`);
    out.push(`  ${seconds(step.atMs).padStart(7)}  line ${String(step.line).padEnd(4)} ${step.text}${changed.length ? `  → ${changed.join(', ')}` : ''}`);
    before = model;
  }
  out.push('', `Expectations (windows of the clients' stats, which come every 250ms; a window ending at t holds the calls of the window before it)`);
  for (const step of s.steps) {
    if (step.kind !== 'expect') continue;
    const plan = s.plans.get(step.index);
    out.push(`  ${seconds(step.atMs).padStart(7)}  line ${String(step.line).padEnd(4)} ${step.text}`);
    if (!plan) continue;
    const w = seconds(step.windowMs);
    if (step.withinMs !== undefined)
      out.push(
        `           holds in a ${w} window ending by ${seconds(plan.lastEndMs)} (the first ends at ${seconds(plan.firstEndMs)}), then keeps holding for ${seconds(step.settleMs)}: judged by ${seconds(plan.decidedByMs)}`,
      );
    else
      out.push(
        `           every ${w} window ending from ${seconds(plan.firstEndMs)} to ${seconds(plan.lastEndMs)} holds: judged by ${seconds(plan.decidedByMs)}`,
      );
    out.push(`           ${step.client} reaches ${reachOf(s, s.timeline.at(step.atMs), step.client, t)} then`);
  }
  return out;
}
