// lab report DIR: re-renders a past run's summary (Markdown), chart (SVG) and page (HTML) from its
// data; --open names the page (and opens it where a browser is known). lab report --compare A B:
// the runs side by side, in the terminal, as compare.md and as compare.html.
import type { Command } from 'commander';
import { execa } from 'execa';
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../errors.js';
import {
  compareRuns,
  comparisonMarkdown,
  comparisonRows,
  isBadResult,
  comparisonHtml,
  reportDirFor,
  rerender,
  writeReportFile,
  verdictWord,
} from '../../report/index.js';
import { c, printJson, table } from '../output.js';

interface ReportOptions {
  open?: boolean;
  compare?: string[];
  out?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('[dir]', 'a report folder written by lab play')
    .description("re-render a past run's summary (Markdown), chart (SVG) and report.html; or compare runs")
    .option('--open', 'print the path of report.html, and open it when a browser is known ($BROWSER, or xdg-open with a display)')
    .option('--compare <dirs...>', 'two report folders (or more): per step the time to rebalance, per client the errors, side by side')
    .option('--out <dir>', 'with --compare: where compare.md and compare.html go (default .lab/reports/<time>-compare)')
    .option('--json', 'print what was compared, or the files written, as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  lab report .lab/reports/20261202-101500-tour --open\n  lab report --compare .lab/reports/<run-a> .lab/reports/<run-b>\n',
    )
    .action(async (dir: string | undefined, o: ReportOptions) => {
      if (o.compare) return compare(dir ? [dir, ...o.compare] : o.compare, o);
      if (!dir)
        throw new InputError('name a report folder, or two with --compare', {
          hint: 'lab play writes them to .lab/reports/<time>-<name>/: lab report .lab/reports/<folder>',
        });
      if (o.out) throw new InputError('--out goes with --compare', { hint: 'lab report DIR writes into DIR itself' });
      const { ok, verdict } = rerender(dir);
      const files = ['report.html', 'summary.md', 'chart.svg'].map((f) => path.join(dir, f));
      const word = verdictWord(verdict);
      if (o.json) printJson({ ok, verdict: word, files });
      else process.stdout.write(`${ok ? c.green(word) : c.red(word)}  ${files.join('  ')}\n`);
      if (o.open) await open(path.resolve(dir, 'report.html'), !!o.json);
    });
}

/** --out: a folder to make, or one that is there (not a file, not a link). */
function checkOut(out: string): void {
  if (!out.trim()) throw new InputError('--out: the folder name is empty', { hint: 'Name a folder for compare.md and compare.html, or leave --out out.' });
  let st;
  try {
    st = lstatSync(out);
  } catch {
    return; // not there yet: it is made
  }
  if (st.isSymbolicLink()) throw new InputError(`--out ${out} is a symbolic link; the lab writes a comparison into a folder of its own, not through a link`);
  if (!st.isDirectory())
    throw new InputError(`--out ${out} is a file, not a folder`, { hint: 'Name a folder for compare.md and compare.html (it is made when missing).' });
}

async function compare(dirs: string[], o: ReportOptions): Promise<void> {
  if (o.out !== undefined) checkOut(o.out);
  const comparison = compareRuns(dirs);
  const out = o.out ?? reportDirFor('compare');
  mkdirSync(out, { recursive: true });
  writeReportFile(out, 'compare.md', comparisonMarkdown(comparison));
  writeReportFile(out, 'compare.html', comparisonHtml(comparison, out));
  if (o.json) return printJson({ ...comparison, files: [path.join(out, 'compare.md'), path.join(out, 'compare.html')] });
  const { head, steps, totals } = comparisonRows(comparison);
  const paint = (rows: string[][]) => rows.map((r) => r.map((x, i) => (i > 0 && isBadResult(x) ? c.red(x) : x)));
  const lines = [
    ...comparison.runs.map(
      (r, i) =>
        `${c.bold(String.fromCharCode(65 + i))}  ${r.dir}  ${r.name} · ${(r.endMs / 1000).toFixed(1)}s · ${r.ok ? c.green(r.verdict) : c.red(r.verdict)}`,
    ),
    '',
    table(head, paint(steps)),
    '',
    table(['totals', ...head.slice(1)], paint(totals)),
    '',
    `${path.join(out, 'compare.md')}  ${path.join(out, 'compare.html')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (o.open) await open(path.resolve(out, 'compare.html'), false);
}

/** Opens a page where a browser is known; otherwise says where it is. Never fails the command. */
async function open(file: string, quiet: boolean): Promise<void> {
  const url = pathToFileURL(file).href;
  const browser = process.env.BROWSER || (process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? 'xdg-open' : '');
  if (browser) {
    try {
      const child = execa(browser, [url], { detached: true, stdio: 'ignore', cleanup: false });
      child.unref();
      await Promise.race([child.catch(() => undefined), new Promise((r) => setTimeout(r, 300))]);
      if (child.exitCode === null || child.exitCode === 0) {
        if (!quiet) process.stdout.write(`opened ${url}\n`);
        return;
      }
    } catch {
      // falls through to printing the path
    }
  }
  if (!quiet) process.stdout.write(`${url}\n${c.dim('(open it in a browser: no $BROWSER here, and no display for xdg-open)')}\n`);
}
