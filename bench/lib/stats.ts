// Figures the benches share: the median (of an even count, the mean of the middle two), and the
// median of per-round ratios with their range (rounds taken in turns, so a machine whose speed
// drifts moves the paths of one round alike).

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export interface Ratio {
  median: number;
  min: number;
  max: number;
  rounds: number[];
}

/** The median of the per-round ratios a[i]/b[i], with their range. */
export function roundRatio(a: readonly number[], b: readonly number[]): Ratio {
  const each = a.map((x, i) => x / b[i]);
  return { median: median(each), min: Math.min(...each), max: Math.max(...each), rounds: each };
}

/** "1.02 (0.95–1.10)" */
export const ratioText = (r: Ratio) => `${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
