// Terminal output helpers: colour only on a TTY and without NO_COLOR; a plain-text table.
const useColor = () => !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const wrap = (code: number, reset: number) => (s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[${reset}m` : s);

export const c = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};

const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** Columns padded to the widest cell; the header is dimmed. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i] - visible(cell)))).join('  ');
  return [c.dim(line(header)), ...rows.map(line)].join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
