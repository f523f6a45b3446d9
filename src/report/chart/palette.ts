// The colours of a run's pictures, the same in the SVG and the HTML: one per backend across every
// client, one per status code, and the steps' markers.
export const BACKEND_COLORS = ['#1f77b4', '#9467bd', '#2ca02c', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79'];
export const OK_COLOR = '#a6c8e0';
const CODE_COLORS: Record<string, string> = {
  UNAVAILABLE: '#d62728',
  DEADLINE_EXCEEDED: '#ff9f1c',
  CANCELLED: '#6a3d9a',
  RESOURCE_EXHAUSTED: '#8c2d04',
  INTERNAL: '#e7298a',
  UNKNOWN: '#636363',
};
const MORE_CODES = ['#b15928', '#fb9a99', '#cab2d6', '#fdbf6f'];

export const codeColor = (code: string, i: number) => CODE_COLORS[code] ?? MORE_CODES[i % MORE_CODES.length];
export const backendColor = (all: string[], name: string) => BACKEND_COLORS[Math.max(0, all.indexOf(name)) % BACKEND_COLORS.length];
export const MARKER_COLORS = { action: '#444444', held: '#2ca02c', failed: '#d62728', waiting: '#999999', unjudged: '#999999' } as const;
export const P50_COLOR = '#3182bd';
export const P99_COLOR = '#a50f15';
/** The failed-calls strip: its bars, and the height of the mark under a bucket with a single failure. */
export const FAILED_COLOR = '#d62728';
export const FAILED_MARK_H = 4;
