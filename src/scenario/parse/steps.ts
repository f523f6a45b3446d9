// A scenario's steps: each is one action (resolved against the sandbox's names by its definition)
// or one expectation (its checks built by the registered kinds), at a time within the scenario.
import { describePath } from '../../util/yaml-positions.js';
import { toMs as ms } from '../../util/units.js';
import { ArgProblem, actionKinds, getAction } from '../actions/index.js';
import { expectationKinds, type Check } from '../expectations/index.js';
import type { ActionStep, ExpectStep, Step } from '../model.js';
import type { ScenarioFile } from '../schema.js';
import type { ParseContext } from './context.js';

type StepFile = ScenarioFile['steps'][number];
type ExpectFile = NonNullable<StepFile['expect']>;

function actionStep(ctx: ParseContext, s: StepFile, i: number, kind: string, atMs: number, line: number): ActionStep {
  const at = ['steps', i, kind];
  const def = getAction(kind)!;
  const arg = def.resolve((s as Record<string, unknown>)[kind], ctx.names);
  if (typeof arg === 'string') throw ctx.fail(at, `steps[${i}].${kind}: ${arg}`);
  if (arg instanceof ArgProblem) throw ctx.fail([...at, ...arg.path], `${describePath([...at, ...arg.path])}: ${arg.message}`, arg.key);
  return { kind: 'action', index: i, atMs, line, action: def, arg, text: def.describe(arg) };
}

function checksOf(ctx: ParseContext, e: ExpectFile, i: number): Check[] {
  const at = ['steps', i, 'expect'];
  const checks: Check[] = [];
  // In the order the file gives them: the report's text reads as the scenario does.
  const written = (ctx.raw as { steps?: Array<{ expect?: object }> }).steps?.[i]?.expect ?? e;
  for (const key of Object.keys(written)) {
    const kind = expectationKinds().find((k) => k.key === key);
    const raw = (e as Record<string, unknown>)[key];
    if (!kind || raw === undefined) continue;
    // A ratio compares the starting echo servers; per-backend shares may name any.
    const check = kind.parse(raw, typeof raw === 'string' && kind.key === 'share' ? ctx.startEchoes : ctx.echoes);
    if (typeof check === 'string') throw ctx.fail([...at, kind.key], `steps[${i}].expect.${check.startsWith(kind.key) ? '' : `${kind.key}: `}${check}`);
    checks.push(check);
  }
  if (!checks.length)
    throw ctx.fail(
      at,
      `steps[${i}].expect: nothing to check (${expectationKinds()
        .map((k) => k.key)
        .join(', ')})`,
    );
  return checks;
}

function expectStep(ctx: ParseContext, e: ExpectFile, i: number, atMs: number, line: number): ExpectStep {
  const at = ['steps', i, 'expect'];
  const clients = Object.keys(ctx.value.clients);
  if (!ctx.value.clients[e.client])
    throw ctx.fail([...at, 'client'], `steps[${i}].expect.client: no client named "${e.client}" (defined: ${clients.join(', ')})`);
  if (e.within === undefined && e.always === undefined)
    throw ctx.fail(at, `steps[${i}].expect: needs within (holds by then and stays) or always (holds throughout)`);
  if (e.within !== undefined && e.always !== undefined) throw ctx.fail([...at, 'always'], `steps[${i}].expect: within and always exclude each other`, true);
  const checks = checksOf(ctx, e, i);
  const withinMs = e.within === undefined ? undefined : ms(e.within);
  const alwaysMs = e.always === undefined ? undefined : e.always === true ? Infinity : ms(e.always);
  const when = withinMs !== undefined ? `within ${e.within}` : alwaysMs === Infinity ? 'always' : `always for ${e.always}`;
  return {
    kind: 'expect',
    index: i,
    atMs,
    line,
    client: e.client,
    checks,
    withinMs,
    alwaysMs,
    settleMs: e.settle === undefined ? 1000 : ms(e.settle),
    windowMs: e.window === undefined ? 1000 : ms(e.window),
    text: `${e.client}: ${checks.map((c) => c.text).join('; ')} ${when}`,
  };
}

export function parseSteps(ctx: ParseContext): Step[] {
  const steps = ctx.value.steps.map((s, i): Step => {
    const at = ['steps', i];
    const line = ctx.positions.at(at).line;
    const atMs = ms(s.at);
    if (atMs > ctx.durationMs) throw ctx.fail([...at, 'at'], `steps[${i}].at: ${s.at} is after the end of the scenario (duration ${ctx.value.duration})`);
    const actions = actionKinds().filter((k) => (s as Record<string, unknown>)[k] !== undefined);
    if (s.expect && actions.length)
      throw ctx.fail([...at, actions[0]], `steps[${i}]: a step is one action or one expect; give "${actions[0]}" a step of its own`, true);
    if (actions.length > 1) throw ctx.fail([...at, actions[1]], `steps[${i}]: one action per step, found ${actions.join(' and ')}`, true);
    if (!s.expect && actions.length === 0) throw ctx.fail(at, `steps[${i}]: expected an action (${actionKinds().sort().join(', ')}) or expect`);
    return actions.length === 1 ? actionStep(ctx, s, i, actions[0], atMs, line) : expectStep(ctx, s.expect!, i, atMs, line);
  });
  return steps.sort((a, b) => a.atMs - b.atMs || a.index - b.index);
}
