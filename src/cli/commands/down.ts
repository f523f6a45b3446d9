// lab down [--json]
import type { Command } from 'commander';
import { engineFor } from '../../engine/index.js';
import { checkOneEngine, down, forgetIfOrphaned } from '../../sandbox/index.js';
import { topologyFrom, type GlobalOptions } from '../context.js';
import { c, printJson } from '../output.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('remove every container and network the lab made (selected by its labels), and nothing else')
    .option('--project <name>', "the project to remove (default: the topology's x-lab.project)")
    .option('--json', 'print what was removed as JSON')
    .action(async (opts: { project?: string; json?: boolean }, cmd: Command) => {
      const t = topologyFrom(cmd.optsWithGlobals<GlobalOptions>());
      const project = opts.project ?? t.project;
      await checkOneEngine(project, t.engine);
      const r = await down(engineFor(t).runtime, project);
      forgetIfOrphaned(project);
      if (opts.json) return printJson(r);
      if (!r.containers.length && !r.networks.length) {
        process.stdout.write(`${c.dim('nothing to remove')}: no container or network is labelled dev.lab.project=${project}\n`);
        return;
      }
      process.stdout.write(
        `${c.green('✔')} removed ${r.containers.length} container(s) and ${r.networks.length} network(s) of ${project} in ${(r.ms / 1000).toFixed(1)} s\n`,
      );
    });
}
