// A client's last minute, drawn when the terminal has rows to spare: each backend's share per second
// stacked in a column (one colour and digit per backend, the same series as the report's share
// panel), then p99 per second on a log scale and failed calls per second. Pure: lines of text.
import chalk from 'chalk';
import { count, ms, sparkline } from './format.js';
import type { ClientView } from './state.js';

const FILLS = [
  chalk.bgGreen.black,
  chalk.bgBlue.white,
  chalk.bgMagenta.white,
  chalk.bgYellow.black,
  chalk.bgCyan.black,
  chalk.bgWhite.black,
  chalk.bgGray.white,
];
const LABEL = 9; // "  share  " / "  p99    "

/** The backend's mark in the chart: its ordinal, 1–9 then a–z. */
const mark = (i: number) => (i < 9 ? String(i + 1) : String.fromCharCode(97 + ((i - 9) % 26)));

/** Which backend covers the level (0..1) in a column of stacked shares; -1: none (no calls). */
function at(shares: number[], level: number): number {
  let top = 0;
  for (let i = 0; i < shares.length; i++) {
    top += shares[i];
    if (level < top) return i;
  }
  return -1;
}

/** `rows` lines, each at most `width` cells. */
export function historyLines(client: ClientView, width: number, rows: number): string[] {
  const cols = Math.max(4, Math.min(60, width - LABEL - 12));
  const backends = client.backends;
  const len = Math.max(0, ...backends.map((b) => b.history.length));
  const start = Math.max(0, len - cols);
  // Each column: the backends' shares in that second (histories end together: align them at the end).
  const column = (j: number) => backends.map((b) => b.history[b.history.length - (len - j)] ?? 0);
  const chartRows = Math.max(1, rows - 2 - (rows >= 6 ? 1 : 0));
  // Each backend keeps its mark as others join or leave: its place in the order the client met them.
  const markOf = backends.map((b) => Math.max(0, client.order.indexOf(b.name)));
  const legend = backends.map((b, i) => FILLS[markOf[i] % FILLS.length](mark(markOf[i])) + ` ${b.name}`).join(' ');
  const out = [chalk.dim(`  last ${Math.min(len, cols)}s, share per second: `) + legend];
  for (let r = chartRows - 1; r >= 0; r--) {
    const level = (r + 0.5) / chartRows;
    let line = chalk.dim(r === chartRows - 1 ? '   100%  ' : r === 0 ? '     0%  ' : ' '.repeat(LABEL));
    for (let j = start; j < len; j++) {
      const i = at(column(j), level);
      line += i < 0 ? ' ' : FILLS[markOf[i] % FILLS.length](mark(markOf[i]));
    }
    out.push(line);
  }
  const p99 = client.history.p99Ms.slice(-cols);
  const top = Math.max(1, ...p99);
  const scaled = p99.map((v) => (v > 0 ? Math.log10(1 + v) / Math.log10(1 + top) : 0));
  out.push(chalk.dim('  p99    ') + chalk.cyan(sparkline(scaled, p99.length)) + chalk.dim(` ≤ ${ms(top)} (log)`));
  if (rows >= 6) {
    const failed = client.history.failed.slice(-cols);
    const worst = Math.max(0, ...failed);
    out.push(
      chalk.dim('  failed ') +
        chalk.red(
          sparkline(
            failed.map((v) => (worst ? v / worst : 0)),
            failed.length,
          ),
        ) +
        chalk.dim(worst ? ` ≤ ${count(worst)}/s` : ' none'),
    );
  }
  return out.slice(0, rows);
}
