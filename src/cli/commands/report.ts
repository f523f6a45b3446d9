// lab report DIR: re-renders a past run's summary (Markdown), chart (SVG) and page (HTML) from its
// data; --open names the page (and opens it where a browser is known). lab report --compare A B:
// the runs side by side, in the terminal, as compare.md and as compare.html.
import type { Command } from 'commander';
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../errors.js';
import { compareRuns, comparisonMarkdown, comparisonRows, isBadResult } from '../../scenario/report/compare.js';
import { comparisonHtml } from '../../scenario/report/html/compare-page.js';
import { reportDirFor, rerender } from '../../scenario/report/write.js';
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
      const { ok } = rerender(dir);
      const files = ['summary.md', 'chart.svg', 'report.html'].map((f) => path.join(dir, f));
      if (o.json) printJson({ ok, files });
      else process.stdout.write(`${ok ? c.green('PASS') : c.red('FAIL')}  ${files.join('  ')}\n`);
      if (o.open) await open(path.resolve(dir, 'report.html'), !!o.json);
    });
}

async function compare(dirs: string[], o: ReportOptions): Promise<void> {
  const comparison = compareRuns(dirs);
  const out = o.out ?? reportDirFor('compare');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'compare.md'), comparisonMarkdown(comparison));
  writeFileSync(path.join(out, 'compare.html'), comparisonHtml(comparison, out));
  if (o.json) return printJson({ ...comparison, files: [path.join(out, 'compare.md'), path.join(out, 'compare.html')] });
  const { head, steps, totals } = comparisonRows(comparison);
  const paint = (rows: string[][]) => rows.map((r) => r.map((x, i) => (i > 0 && isBadResult(x) ? c.red(x) : x)));
  const lines = [
    ...comparison.runs.map(
      (r, i) => `${c.bold(String.fromCharCode(65 + i))}  ${r.dir}  ${r.name} · ${(r.endMs / 1000).toFixed(1)}s · ${r.ok ? c.green('PASS') : c.red('FAIL')}`,
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
