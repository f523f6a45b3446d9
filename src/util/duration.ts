// Durations, one rule everywhere (files, flags, docs): a duration carries its unit — 250us, 500ms,
// 5s, 1.5m, 1h — and only 0 may go without one. A bare 500 could be seconds or milliseconds, so it is
// refused with a message that says so.
const UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest duration the lab accepts anywhere: Node's timers cannot wait longer than ~24.8 days. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Parses a duration into milliseconds; undefined when it is not one (see durationProblem for why). */
export function parseDuration(input: string | number): number | undefined {
  if (input === 0 || input === '0') return 0;
  if (typeof input !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)\s*$/.exec(input);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2]];
  return Number.isFinite(ms) && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** Why `input` is not a duration, in words a user can act on. */
export function durationProblem(input: unknown): string {
  const bare = typeof input === 'number' || (typeof input === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(input));
  if (bare) return `a duration needs its unit (${String(input).trim()}ms or ${String(input).trim()}s?)`;
  const m = typeof input === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)\s*$/.exec(input) : null;
  if (m) return `${input} is too long: the lab waits at most 24 days (Node's timers stop there)`;
  return 'expected a duration with its unit, such as 500ms, 5s or 1m';
}

/** Consul's and Go's duration format (e.g. "1s", "500ms"). */
export function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
