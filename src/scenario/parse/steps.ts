// A scenario's steps: each is one action (resolved against the sandbox's names by its definition)
// or one expectation (its checks built by the registered kinds), at a time within the scenario.
// Actions come first: the timeline they make is what each expectation's checks are built against
// (a ratio is over the echo servers there are at its time).
import { describePath } from '../../util/yaml-positions.js';
import { toMs as ms } from '../../util/units.js';
import { ArgProblem, actionKinds, getAction } from '../actions/index.js';
import { expectationKinds, type Check } from '../expectations/index.js';
import type { ActionStep, ExpectStep } from '../model.js';
import type { ScenarioFile } from '../schema.js';
import { guard, type ParseContext } from './context.js';

type StepFile = ScenarioFile['steps'][number];
type ExpectFile = NonNullable<StepFile['expect']>;

/** What the expectations of a step are judged against: the echo servers at its time, and who its client is. */
export interface ExpectEnv {
  /** The backends a ratio is over at this time, for this client. */
  echoesAt(ms: number, client: string): string[];
  observed: ReadonlySet<string>;
}

/** The step's shape (one action or one expect, within the run): its action kind, or 'expect'. */
function kindOf(ctx: ParseContext, s: StepFile, i: number): string {
  const at = ['steps', i];
  if (ms(s.at) > ctx.durationMs) throw ctx.fail([...at, 'at'], `steps[${i}].at: ${s.at} is after the end of the scenario (duration ${ctx.value.duration})`);
  const actions = actionKinds().filter((k) => (s as Record<string, unknown>)[k] !== undefined);
  if (s.expect && actions.length)
    throw ctx.fail([...at, actions[0]], `steps[${i}]: a step is one action or one expect; give "${actions[0]}" a step of its own`, true);
  if (actions.length > 1) throw ctx.fail([...at, actions[1]], `steps[${i}]: one action per step, found ${actions.join(' and ')}`, true);
  if (!s.expect && actions.length === 0) throw ctx.fail(at, `steps[${i}]: expected an action (${actionKinds().sort().join(', ')}) or expect`);
  return actions[0] ?? 'expect';
}

function actionStep(ctx: ParseContext, s: StepFile, i: number, kind: string): ActionStep {
  const at = ['steps', i, kind];
  const def = getAction(kind)!;
  const arg = def.resolve((s as Record<string, unknown>)[kind], ctx.names);
  if (typeof arg === 'string') throw ctx.fail(at, `steps[${i}].${kind}: ${arg}`);
  if (arg instanceof ArgProblem) throw ctx.fail([...at, ...arg.path], `${describePath([...at, ...arg.path])}: ${arg.message}`, arg.key);
  return { kind: 'action', index: i, atMs: ms(s.at), line: ctx.positions.at(['steps', i]).line, action: def, arg, text: def.describe(arg) };
}

function checksOf(ctx: ParseContext, e: ExpectFile, i: number, env: ExpectEnv): Check[] {
  const at = ['steps', i, 'expect'];
  const checks: Check[] = [];
  // In the order the file gives them: the report's text reads as the scenario does.
  const written = (ctx.raw as { steps?: Array<{ expect?: object }> }).steps?.[i]?.expect ?? e;
  const atMs = ms(ctx.value.steps[i].at);
  for (const key of Object.keys(written)) {
    const kind = expectationKinds().find((k) => k.key === key);
    const raw = (e as Record<string, unknown>)[key];
    if (!kind || raw === undefined) continue;
    const check = kind.parse(raw, { backends: ctx.echoes, ratioOver: env.echoesAt(atMs, e.client), observed: env.observed.has(e.client) });
    if (typeof check === 'string')
      throw ctx.fail([...at, kind.key], `steps[${i}].expect.${/^[\w-]+[.:]/.test(check) && check.startsWith(kind.key) ? '' : `${kind.key}: `}${check}`);
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

function expectStep(ctx: ParseContext, e: ExpectFile, i: number, env: ExpectEnv): ExpectStep {
  const at = ['steps', i, 'expect'];
  const clients = Object.keys(ctx.value.clients);
  if (!ctx.value.clients[e.client])
    throw ctx.fail([...at, 'client'], `steps[${i}].expect.client: no client named "${e.client}" (defined: ${clients.join(', ')})`);
  if (e.within === undefined && e.always === undefined)
    throw ctx.fail(at, `steps[${i}].expect: needs within (holds by then and stays) or always (holds throughout)`);
  if (e.within !== undefined && e.always !== undefined) throw ctx.fail([...at, 'always'], `steps[${i}].expect: within and always exclude each other`, true);
  if (e.settle !== undefined && e.within === undefined)
    throw ctx.fail(
      [...at, 'settle'],
      `steps[${i}].expect.settle: settle goes with within (how long it keeps holding once it holds); always holds throughout`,
      true,
    );
  const checks = checksOf(ctx, e, i, env);
  const withinMs = e.within === undefined ? undefined : ms(e.within);
  const alwaysMs = e.always === undefined ? undefined : e.always === true ? Infinity : ms(e.always);
  const when = withinMs !== undefined ? `within ${e.within}` : alwaysMs === Infinity ? 'always' : `always for ${e.always}`;
  return {
    kind: 'expect',
    index: i,
    atMs: ms(ctx.value.steps[i].at),
    line: ctx.positions.at(['steps', i]).line,
    client: e.client,
    checks,
    withinMs,
    alwaysMs,
    settleMs: e.settle === undefined ? 1000 : ms(e.settle),
    windowMs: e.window === undefined ? 1000 : ms(e.window),
    text: `${e.client}: ${checks.map((c) => c.text).join('; ')} ${when}`,
  };
}

/** Every step's shape, then its action; steps with a problem are left out (the problem is kept). */
export function parseActions(ctx: ParseContext): { actions: ActionStep[]; expects: number[] } {
  const actions: ActionStep[] = [];
  const expects: number[] = [];
  ctx.value.steps.forEach((s, i) =>
    guard(ctx, () => {
      const kind = kindOf(ctx, s, i);
      if (kind === 'expect') expects.push(i);
      else actions.push(actionStep(ctx, s, i, kind));
    }),
  );
  return { actions, expects };
}

export function parseExpectations(ctx: ParseContext, indexes: number[], env: ExpectEnv): ExpectStep[] {
  return indexes.flatMap((i) => guard(ctx, () => expectStep(ctx, ctx.value.steps[i].expect!, i, env)) ?? []);
}
