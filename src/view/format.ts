// Text pieces of the view: bars, sparklines, short numbers. Pure string functions.

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const SPARKS = '▁▂▃▄▅▆▇█';

/** A horizontal bar of `width` cells for a value in 0..1, with eighth-cell precision. */
export function bar(value: number, width: number): string {
  const v = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
  const eighths = Math.round(v * width * 8);
  const full = Math.floor(eighths / 8);
  const rest = EIGHTHS[eighths % 8];
  return ('█'.repeat(full) + rest).padEnd(width, ' ').slice(0, width);
}

/**
 * A bar in plain ASCII (#), what the view draws: a line of printable ASCII is measured by ink
 * without Unicode segmentation, a third of a frame's CPU; and it survives a copy or a dump.
 */
export function asciiBar(value: number, width: number): string {
  const v = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
  const full = Math.round(v * width);
  return '#'.repeat(full) + ' '.repeat(width - full);
}

/** The last `width` values (0..1) as a sparkline; missing ones are blank. */
export function sparkline(values: number[], width: number): string {
  const tail = values.slice(-width);
  const s = tail.map((v) => SPARKS[Math.max(0, Math.min(SPARKS.length - 1, Math.round(v * (SPARKS.length - 1))))]).join('');
  return s.padStart(width, ' ');
}

export const pct = (v: number) => `${Math.round(v * 100)}%`;

export function ms(v: number): string {
  if (!v) return '—';
  if (v < 10) return `${v.toFixed(1)}ms`;
  if (v < 1000) return `${Math.round(v)}ms`;
  return `${(v / 1000).toFixed(1)}s`;
}

export function count(v: number): string {
  if (v >= 100_000) return `${Math.round(v / 1000)}k`;
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}k`;
  return String(Math.round(v));
}

export const seconds = (t: number) => `${(t / 1000).toFixed(1)}s`;

/** Errors by code, short: "UNAVAILABLE 3, DEADLINE_EXCEEDED 1". */
export function errorList(errors: Record<string, number>, short = false): string {
  return Object.entries(errors)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${short ? abbreviate(code) : code} ${n}`)
    .join(', ');
}

const ABBR: Record<string, string> = {
  UNAVAILABLE: 'UNAV',
  DEADLINE_EXCEEDED: 'DEADLINE',
  RESOURCE_EXHAUSTED: 'EXHAUSTED',
  INTERNAL: 'INTERNAL',
  CANCELLED: 'CANCEL',
  UNIMPLEMENTED: 'UNIMPL',
};
const abbreviate = (code: string) => ABBR[code] ?? code.slice(0, 8);

/** Fits text into `width` cells: cut with an ellipsis, or padded. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width, ' ');
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/**
 * Labels for instance names in a column `width` wide (a space after each): a name whole when it
 * fits; else its start and its end around an ellipsis, the end being where replicas differ
 * (greeter-12, greeter-13). Distinct names always get distinct labels: when no split of start and
 * end tells some apart, those are numbered (…#1, …#2). So the screen never shows two backends under
 * one label.
 */
export function nameLabels(names: readonly string[], width: number): Map<string, string> {
  const room = Math.max(3, width - 1);
  const unique = [...new Set(names)];
  const cut = (name: string, tail: number) => (name.length <= room ? name : `${name.slice(0, room - 1 - tail)}…${name.slice(name.length - tail)}`);
  const first = Math.max(1, Math.floor((room - 1) / 2));
  // Tails from the middle split to the longest, then shorter: the first split that keeps a group apart.
  const tails = [...Array.from({ length: room - first }, (_, i) => first + i), ...Array.from({ length: first - 1 }, (_, i) => first - 1 - i)];
  const labels = new Map(unique.map((n) => [n, cut(n, first)]));
  const clashes = () => {
    const by = new Map<string, string[]>();
    for (const [n, l] of labels) by.set(l, [...(by.get(l) ?? []), n]);
    return [...by.values()].filter((g) => g.length > 1);
  };
  for (const group of clashes()) {
    const taken = new Set([...labels].filter(([n]) => !group.includes(n)).map(([, l]) => l));
    const tail = tails.find((t) => {
      const ls = group.map((n) => cut(n, t));
      return new Set(ls).size === ls.length && ls.every((l) => !taken.has(l));
    });
    if (tail !== undefined) for (const n of group) labels.set(n, cut(n, tail));
  }
  let k = 0;
  for (const group of clashes())
    for (const n of group) {
      const mark = `…#${++k}`;
      labels.set(n, `${n.slice(0, Math.max(0, room - mark.length))}${mark}`);
    }
  return new Map([...labels].map(([n, l]) => [n, l.padEnd(width)]));
}
