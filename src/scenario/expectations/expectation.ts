// An expectation over a window of one client's stats: the contract and the registry of kinds
// (share, errors, latency, attempts, ...), one file each exporting its definition as default; the
// list of files is generated. A kind's schema is what the file parser checks and `lab schema` shows;
// its witness is how the scenario's model finds traffic that passes it, or fails it, before a run.
import { z } from 'zod';
import type { Asked, WindowPart, WitnessEnv } from './witness.js';
import type { WindowStats } from './window.js';

export interface Check<A = unknown> {
  holds(w: WindowStats): { ok: boolean; saw: string };
  text: string;
  /** The kind that made it (its key under expect:). */
  key: string;
  /** What it asks, in its kind's own terms: what the kind's witness reads. */
  ask: A;
}

/** What a kind's parse is told of where the check will be judged. */
export interface ParseEnv {
  /** Backends a per-backend share may name (the widest sandbox's echo servers). */
  backends: string[];
  /** The echo servers a ratio ("≈ 1:1:1") is over: those at the expectation's time, in name order. */
  ratioOver: string[];
  /** The client is one the user runs: its series comes from the servers' side. */
  observed: boolean;
}

export interface ExpectationKind<V = unknown, A = unknown> {
  /** The key under `expect:`. */
  key: string;
  summary: string;
  example: string;
  schema: z.ZodType<V>;
  /** Builds the check from the value (already shaped by `schema`); a string is the error to report at its position. */
  parse(value: V, env: ParseEnv): Check<A> | string;
  /**
   * Proposals of a window where every one of these asks holds (`pass`), or where the one ask given
   * fails (`fail`), in windows the env describes; a string says why there can be none. The model
   * builds each proposed window and keeps the first the checks themselves judge as wanted.
   */
  witness(asks: Array<Asked<A>>, env: WitnessEnv, want: 'pass' | 'fail'): WindowPart[] | string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExpectation = ExpectationKind<any, any>;

export function defineExpectation<S extends z.ZodType, A>(def: {
  key: string;
  summary: string;
  example: string;
  schema: S;
  parse: (value: z.output<S>, env: ParseEnv) => Check<A> | string;
  witness: (asks: Array<Asked<A>>, env: WitnessEnv, want: 'pass' | 'fail') => WindowPart[] | string;
}): ExpectationKind<z.output<S>, A> {
  return def as ExpectationKind<z.output<S>, A>;
}

/** A matcher as written: "<5ms", ">25%", 0. */
export const matcherValue = z.union([z.string(), z.number()]);

const kinds = new Map<string, AnyExpectation>();

export function registerExpectation(kind: AnyExpectation): void {
  kinds.set(kind.key, kind);
}

export function expectationKinds(): AnyExpectation[] {
  return [...kinds.values()];
}

export function expectationKind(key: string): AnyExpectation | undefined {
  return kinds.get(key);
}
