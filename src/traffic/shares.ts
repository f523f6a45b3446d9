// How the lab orders and writes backends' shares, in one place: `lab traffic`, `lab play`'s lines,
// the view, the report and the expectations all put echo-2 before echo-10 (natural order).

/** Natural order of backend names: echo-2 before echo-10. */
export const byBackendName = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true });

/** Each backend's share of `total` calls, in natural order: [name, percent]. */
export function sharesOf(backends: Record<string, { calls: number }>, total: number): Array<[string, number]> {
  return Object.entries(backends)
    .sort(([a], [b]) => byBackendName(a, b))
    .map(([name, s]) => [name, total ? (100 * s.calls) / total : 0]);
}

/** "echo-1 33.2%  echo-2 33.4%  echo-3 33.4%" */
export function shareLine(backends: Record<string, { calls: number }>, total: number, digits = 1, separator = '  '): string {
  return sharesOf(backends, total)
    .map(([name, pct]) => `${name} ${pct.toFixed(digits)}%`)
    .join(separator);
}
