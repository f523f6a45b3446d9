// lab doctor [--json]
import type { Command } from 'commander';
import { runChecks } from '../../doctor/index.js';
import { getRuntime } from '../../sandbox/index.js';
import { topologyFileOf, type GlobalOptions } from '../context.js';
import { c, printJson } from '../output.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check Docker, images, binaries, free loopback addresses and ports; print what is wrong and the command that fixes it')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const results = await runChecks(getRuntime(), topologyFileOf(g));
      const failed = results.filter((r) => !r.ok);
      if (opts.json) printJson({ ok: failed.length === 0, checks: results });
      else {
        for (const r of results) {
          process.stdout.write(`${r.ok ? c.green('✔') : c.red('✖')} ${r.name.padEnd(20)} ${r.detail}\n`);
          if (!r.ok && r.fix) process.stdout.write(`  ${c.yellow('→')} ${r.fix}\n`);
        }
        process.stdout.write(failed.length ? `\n${failed.length} problem(s).\n` : `\n${c.green('All good.')} Next: lab up\n`);
      }
      process.exitCode = failed.length ? 1 : 0;
    });
}
