// lab play FILE [--json] [--down] [--report-dir DIR]: brings the sandbox up (reconciled to the
// scenario), plays it, undoes what it did, prints the verdict, writes the report. Exit 0 when every
// expectation holds, 1 when any fails, 130 when interrupted.
import type { Command } from 'commander';
import { down, getRuntime } from '../../sandbox/index.js';
import { loadScenario } from '../../scenario/load.js';
import { play, type PlayEvent, type PlayResult } from '../../scenario/player.js';
import { reportDirFor, writeReport } from '../../scenario/report/write.js';
import { windowAt, type Bucket } from '../../scenario/expectations/index.js';
import { DEFAULT_TOPOLOGY, loadTopology } from '../../topology/load.js';
import { withSandbox } from '../claim.js';
import type { GlobalOptions } from '../context.js';
import { abortOnInterrupt } from '../interrupt.js';
import { c, printJson, table } from '../output.js';
import { plainLine } from '../ui/up-progress.js';
import { liveFramesOnTerminal } from './watch.js';

const sec = (ms: number) => `${(ms / 1000).toFixed(1)}s`.padStart(6);

export function registerPlay(program: Command): void {
  program
    .command('play')
    .argument('<file>', 'a scenario file, e.g. scenarios/kill-node.yaml')
    .description('play a scenario: traffic, timed failures, expectations; prints the verdict and writes a report')
    .option('--no-tui', 'plain progress lines instead of the rebalance view (what pipes and CI get anyway)')
    .option('--json', 'print events as JSON lines, then the result')
    .option('--down', 'stop the sandbox afterwards (default: leave it running for the next play)')
    .option('--report-dir <dir>', 'where to write the report (default .lab/reports/<time>-<name>)')
    .action(async (file: string, opts: { json?: boolean; down?: boolean; reportDir?: string; tui?: boolean }, cmd: Command) => {
      const topologyFile = cmd.optsWithGlobals<GlobalOptions>().file ?? process.env.LAB_TOPOLOGY ?? DEFAULT_TOPOLOGY;
      // Everything is checked before anything starts.
      const scenario = loadScenario(file, (echo, etcd, proxy) => loadTopology(topologyFile, { echo, etcd, proxy }));
      const rt = getRuntime();
      await rt.ping(1000);
      const project = loadTopology(topologyFile).project;
      const interrupt = abortOnInterrupt();
      const dir = opts.reportDir ?? reportDirFor(scenario.name);
      const finish = async (result: PlayResult, reportWritten = false) => {
        if (!reportWritten) writeReport(dir, { name: scenario.name, file: scenario.file, text: scenario.text, endMs: result.endMs, verdict: result.verdict, buckets: result.buckets, eventsFile: result.eventsFile });
        if (opts.down) await down(rt, project);
        process.exitCode = result.verdict.interrupted ? 130 : result.verdict.ok ? 0 : 1;
      };
      if (opts.tui !== false && !opts.json && process.stdout.isTTY && process.stdin.isTTY) {
        liveFramesOnTerminal();
        const { playWithView } = await import('../../view/run-play.js');
        try {
          await finish(await withSandbox(rt, project, () => playWithView(scenario, { rt, topologyFile, signal: interrupt.signal, reportDir: dir })), true);
        } finally {
          interrupt.dispose();
        }
        return;
      }
      const out = (s: string) => !opts.json && process.stdout.write(`${s}\n`);
      out(`${c.bold(scenario.name)} (${scenario.file}) · ${scenario.clients.length} client(s) · ${sec(scenario.durationMs).trim()}`);
      const lastPrinted = new Map<string, number>();
      // The player's own series, filled before each bucket event: the per-second lines read it.
      const buckets = new Map<string, Bucket[]>();
      const onEvent = (e: PlayEvent) => {
        if (opts.json) return void process.stdout.write(`${JSON.stringify(e)}\n`);
        if (e.type === 'sandbox') {
          const line = plainLine(e.event);
          if (line && /ready|created|started|unpaused|removed|failed/.test(line)) out(c.dim(`  sandbox: ${line}`));
        } else if (e.type === 'phase' && e.phase !== 'done') out(c.dim(`── ${e.phase}`));
        else if (e.type === 'step') out(`${sec(e.t)} ${e.kind === 'action' ? '▶' : '?'} ${e.text}${e.error ? c.red(`  ✖ ${e.error}`) : ''}`);
        else if (e.type === 'undo') out(c.dim(`  undo: ${e.text}${e.error ? `  ✖ ${e.error}` : ''}`));
        else if (e.type === 'resolver-error') out(c.yellow(`${sec(e.t)}   ${e.client} resolver: ${e.message}`));
        else if (e.type === 'bucket' && e.t - (lastPrinted.get(e.client) ?? 0) >= 1000) {
          lastPrinted.set(e.client, e.t);
          const w = windowAt(buckets.get(e.client) ?? [], e.t, 1000);
          const shares = Object.entries(w.backends)
            .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
            .map(([n, s]) => `${n} ${w.total.calls ? ((100 * s.calls) / w.total.calls).toFixed(0) : 0}%`)
            .join(' ');
          const errs = w.total.calls - w.total.ok;
          out(c.dim(`${sec(e.t)}   ${e.client.padEnd(8)} ${String(w.total.calls).padStart(5)}/s  ${shares}${errs ? c.yellow(`  errors ${errs}`) : ''}`));
        }
      };
      let result;
      try {
        result = await withSandbox(rt, project, () => play(scenario, { rt, topologyFile, signal: interrupt.signal, onEvent, buckets }));
      } finally {
        interrupt.dispose();
      }
      await finish(result);
      const v = result.verdict;
      if (opts.json) printJson({ type: 'result', ok: v.ok, interrupted: v.interrupted, expectations: v.expectations, actions: v.actions, report: dir });
      else {
        out('');
        out(
          table(
            ['AT', 'EXPECTATION', 'VERDICT', 'REBALANCED IN', 'SEEN'],
            v.expectations.map((e) => [sec(e.atMs).trim(), e.text, e.ok ? c.green('pass') : c.red('FAIL'), e.timeToHoldMs !== undefined ? sec(e.timeToHoldMs).trim() : '—', e.saw]),
          ),
        );
        if (v.actions.length) {
          out('');
          out(
            table(
              ['AT', 'ACTION', 'TIME TO REBALANCE'],
              v.actions.map((a) => [sec(a.atMs).trim(), a.text, a.error ? c.red(`failed: ${a.error}`) : Object.entries(a.rebalanceMs ?? {}).map(([cl, ms]) => `${cl} ${ms === null ? 'did not settle' : sec(ms).trim()}`).join('  ')]),
            ),
          );
        }
        out(`\n${v.ok ? c.green('✔ PASS') : c.red(v.interrupted ? '✖ INTERRUPTED' : '✖ FAIL')}  report: ${dir}/summary.md`);
      }
    });
}
