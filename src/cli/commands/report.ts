// lab report DIR: re-renders a past run's summary.md and chart.svg from its data.
import type { Command } from 'commander';
import path from 'node:path';
import { rerender } from '../../scenario/report/write.js';
import { c } from '../output.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<dir>', 'a report folder written by lab play')
    .description("re-render a past run's summary (Markdown) and chart (SVG)")
    .action((dir: string) => {
      const { ok } = rerender(dir);
      process.stdout.write(`${ok ? c.green('PASS') : c.red('FAIL')}  ${path.join(dir, 'summary.md')}  ${path.join(dir, 'chart.svg')}\n`);
    });
}
