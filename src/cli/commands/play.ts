// lab play FILE [--json] [--down] [--report-dir DIR]: brings the sandbox up (reconciled to the
// scenario), plays it, undoes what it did, prints the verdict, writes the report. Exit 0 when every
// expectation holds, 1 when any fails, 130 when interrupted.
import type { Command } from 'commander';
import { EXIT } from '../../errors.js';
import { down } from '../../sandbox/index.js';
import { loadScenario, play, type PlayEvent, type PlayResult, type Bucket } from '../../scenario/index.js';
import { checkReportDir, reportDirFor, runRecordOf, writeReport } from '../../report/index.js';
import { RunContext } from '../../run/index.js';
import { withSandbox } from '../claim.js';
import { topologyFileOf, type GlobalOptions } from '../context.js';
import { abortOnInterrupt } from '../interrupt.js';
import { c } from '../output.js';
import { playLinePrinter, sec, verdictText } from '../ui/play-lines.js';
import { liveFramesOnTerminal } from './watch.js';
import { helpLines } from '../docs.js';

export function registerPlay(program: Command): void {
  program
    .command('play')
    .argument('<file>', 'a scenario file, e.g. scenarios/kill-node.yaml')
    .description('play a scenario: traffic, timed failures, expectations; prints the verdict and writes a report')
    .option('--no-tui', 'plain progress lines instead of the rebalance view (what pipes and CI get anyway)')
    .option('--json', 'print events as JSON lines, then the result')
    .option('--down', 'stop the sandbox afterwards (default: leave it running for the next play)')
    .option('--report-dir <dir>', 'where to write the report (default .lab/reports/<time>-<name>)')
    .addHelpText(
      'after',
      () =>
        `\nActions a step may take (lab schema: their arguments):\n${helpLines('actions')}\n\nExpectations (under expect:):\n${helpLines('expectations')}\n`,
    )
    .action(async (file: string, opts: { json?: boolean; down?: boolean; reportDir?: string; tui?: boolean }, cmd: Command) => {
      const topologyFile = topologyFileOf(cmd.optsWithGlobals<GlobalOptions>());
      // Everything is checked before anything starts.
      const baseRun = RunContext.open({ topologyFile });
      const scenario = loadScenario(file, baseRun.shape);
      const dir = opts.reportDir ?? reportDirFor(scenario.name);
      checkReportDir(dir);
      const base = baseRun.topology;
      const rt = baseRun.rt;
      await rt.ping(1000);
      const project = base.project;
      // The run, in the scenario's shape, on the same runtime: put together here, once.
      const run = baseRun.withShape(scenario.sandbox);
      const interrupt = abortOnInterrupt();
      const finish = async (result: PlayResult, reportWritten = false) => {
        if (!reportWritten) writeReport(dir, runRecordOf(scenario, result));
        if (opts.down) await down(rt, project);
        process.exitCode = result.verdict.interrupted ? EXIT.interrupted : result.verdict.ok ? EXIT.ok : EXIT.verdictFailed;
      };
      if (opts.tui !== false && !opts.json && process.stdout.isTTY && process.stdin.isTTY) {
        liveFramesOnTerminal();
        const { playWithView } = await import('../../view/index.js');
        try {
          const result = await withSandbox(rt, base, () => playWithView(scenario, { run, signal: interrupt.signal, reportDir: dir }));
          await finish(result, true);
          // The view had the alternate screen; what the run came to stays on the terminal.
          process.stdout.write(`${c.bold(scenario.name)} (${scenario.file}) · ${sec(result.endMs).trim()}\n${verdictText(result.verdict, dir)}\n`);
        } finally {
          interrupt.dispose();
        }
        return;
      }
      const out = (s: string) => !opts.json && process.stdout.write(`${s}\n`);
      out(`${c.bold(scenario.name)} (${scenario.file}) · ${scenario.clients.length + scenario.observed.length} client(s) · ${sec(scenario.durationMs).trim()}`);
      // The player's own series, filled before each bucket event: the per-second lines read it.
      const buckets = new Map<string, Bucket[]>();
      const onEvent = opts.json ? (e: PlayEvent) => void process.stdout.write(`${JSON.stringify(e)}\n`) : playLinePrinter(buckets, out);
      let result;
      try {
        result = await withSandbox(rt, base, () => play(scenario, { run, signal: interrupt.signal, onEvent, buckets }));
      } finally {
        interrupt.dispose();
      }
      await finish(result);
      const v = result.verdict;
      // JSON lines to the end: the result is the last line, as one line.
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify({ type: 'result', ok: v.ok, interrupted: v.interrupted, expectations: v.expectations, actions: v.actions, report: dir })}\n`,
        );
      else out(verdictText(v, dir));
    });
}
