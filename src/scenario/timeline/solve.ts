// The search for traffic: a window where a set of checks all hold, or one where a check fails. Each
// expectation kind proposes parts of a window; the window is built and the checks' own `holds`
// decides, so the model can only call a check satisfiable with traffic the verdict would pass.
import { expectationKind, type Check } from '../expectations/expectation.js';
import { windowOf, type WindowPart, type WitnessEnv } from '../expectations/witness.js';

export interface Judged {
  check: Check;
  /** How many of the env's windows this check's own window spans (its window may be wider). */
  scale: number;
}

export type Witness = { parts: WindowPart[]; env: WitnessEnv } | { why: string };

const MAX_COMBINATIONS = 64;

/** Does every check hold on the window these parts make? */
export function allHold(parts: WindowPart[], checks: Judged[], env: WitnessEnv): boolean {
  return checks.every(({ check, scale }) => check.holds(windowOf(parts, env, scale)).ok);
}

/** A window (in parts) where every check holds, trying each number of calls a window may hold. */
export function passWitness(checks: Judged[], envs: WitnessEnv[]): Witness {
  let why = '';
  // Which numbers of calls in a window each kind could hold with: to say when they suit no common one.
  const heldWith = new Map<string, number[]>();
  for (const env of envs) {
    const byKind = new Map<string, Judged[]>();
    for (const j of checks) byKind.set(j.check.key, [...(byKind.get(j.check.key) ?? []), j]);
    const proposals: WindowPart[][] = [];
    let blocked = '';
    for (const [key, judged] of byKind) {
      const got = expectationKind(key)!.witness(
        judged.map((j) => ({ ask: j.check.ask, scale: j.scale })),
        env,
        'pass',
      );
      if (typeof got === 'string') {
        blocked ||= got;
        continue;
      }
      heldWith.set(key, [...(heldWith.get(key) ?? []), env.calls]);
      proposals.push(got);
    }
    if (blocked) {
      why ||= blocked;
      continue;
    }
    for (const parts of combinations(proposals)) if (allHold(parts, checks, env)) return { parts, env };
  }
  const kinds = new Set(checks.map((j) => j.check.key));
  if (kinds.size > 1 && [...kinds].every((k) => heldWith.has(k)) && !envs.every((e) => e.callsKnown))
    return {
      why: `${checks.map((j) => j.check.text).join(' and ')} cannot hold in one window: ${[...kinds].map((k) => `${k} holds with ${range(heldWith.get(k)!)} calls in it`).join(', ')}`,
    };
  return { why: why || `no traffic makes ${checks.map((j) => j.check.text).join('; ')} hold` };
}

const range = (ns: number[]) => {
  const s = [...ns].sort((a, b) => a - b);
  return s.length === 1 ? String(s[0]) : `${s[0]} to ${s[s.length - 1]}`;
};

/** A window with calls where this one check fails, or undefined: then it cannot fail. */
export function failWitness(j: Judged, envs: WitnessEnv[]): { parts: WindowPart[]; env: WitnessEnv } | undefined {
  for (const env of envs) {
    if (env.calls < 1) continue;
    const got = expectationKind(j.check.key)!.witness([{ ask: j.check.ask, scale: j.scale }], env, 'fail');
    if (typeof got === 'string') continue;
    for (const part of got) if (!j.check.holds(windowOf([part], env, j.scale)).ok) return { parts: [part], env };
  }
  return undefined;
}

/** One proposal of each kind, in every combination (bounded). */
function* combinations(lists: WindowPart[][]): Generator<WindowPart[]> {
  let count = 0;
  function* go(i: number, acc: WindowPart[]): Generator<WindowPart[]> {
    if (count >= MAX_COMBINATIONS) return;
    if (i === lists.length) {
      count++;
      yield acc;
      return;
    }
    for (const p of lists[i]) yield* go(i + 1, [...acc, p]);
  }
  yield* go(0, []);
}
