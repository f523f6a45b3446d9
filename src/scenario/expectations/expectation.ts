// An expectation over a window of one client's stats: the contract and the registry of kinds
// (share, errors, latency, attempts), each in its own file. A check says whether it holds and what it saw.
import type { WindowStats } from './window.js';

export interface Check {
  holds(w: WindowStats): { ok: boolean; saw: string };
  text: string;
}

export interface ExpectationKind {
  key: 'share' | 'errors' | 'latency' | 'attempts';
  /** Builds the check from the YAML value; a string is the error to report at its position. */
  parse(raw: unknown, backends: string[]): Check | string;
}

const kinds = new Map<string, ExpectationKind>();

export function registerExpectation(kind: ExpectationKind): void {
  kinds.set(kind.key, kind);
}

export function expectationKinds(): ExpectationKind[] {
  return [...kinds.values()];
}
