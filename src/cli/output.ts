// Terminal output helpers: chalk's colours, only on a TTY and without NO_COLOR; a plain-text table.
import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';

const useColor = () => !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

/** Decided once, when the CLI starts: colours for a terminal, none for a pipe. */
export const c = new Chalk({ level: useColor() ? 1 : 0 });

const visible = (s: string) => stripVTControlCharacters(s).length;

/** Columns padded to the widest cell; the header is dimmed. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i] - visible(cell)))).join('  ');
  return [c.dim(line(header)), ...rows.map(line)].join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
