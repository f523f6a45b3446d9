// An expectation over a window of one client's stats: the contract and the registry of kinds
// (share, errors, latency, attempts, ...), one file each exporting its definition as default; the
// list of files is generated. A kind's schema is what the file parser checks and `lab schema` shows.
import { z } from 'zod';
import type { WindowStats } from './window.js';

export interface Check {
  holds(w: WindowStats): { ok: boolean; saw: string };
  text: string;
}

export interface ExpectationKind<V = unknown> {
  /** The key under `expect:`. */
  key: string;
  summary: string;
  example: string;
  schema: z.ZodType<V>;
  /** Builds the check from the value (already shaped by `schema`); a string is the error to report at its position. */
  parse(value: V, backends: string[]): Check | string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExpectation = ExpectationKind<any>;

export function defineExpectation<S extends z.ZodType>(def: {
  key: string;
  summary: string;
  example: string;
  schema: S;
  parse: (value: z.output<S>, backends: string[]) => Check | string;
}): ExpectationKind<z.output<S>> {
  return def as ExpectationKind<z.output<S>>;
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
