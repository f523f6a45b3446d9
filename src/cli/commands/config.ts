// lab config [--expanded] [--json]: the resolved topology, or the same containers as plain Compose.
import type { Command } from 'commander';
import { engineFor } from '../../engine/index.js';
import { expandedCompose, resolveImage } from '../../sandbox/index.js';
import { topologyFrom, positiveInt, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('print the resolved topology (what `up` would build); --expanded prints it as a plain Compose file')
    .option('--echo <n>', 'number of echo servers', positiveInt('--echo', 250))
    .option('--expanded', 'one Compose service per container, images resolved (assembles them if needed)')
    .action(async (opts: { echo?: number; expanded?: boolean }, cmd: Command) => {
      const t = topologyFrom(cmd.optsWithGlobals<GlobalOptions>(), { echo: opts.echo });
      if (!opts.expanded) return printJson(t);
      const rt = engineFor(t).runtime;
      const images = new Map<string, string>();
      for (const inst of t.instances) images.set(inst.name, await resolveImage(rt, inst.image));
      process.stdout.write(expandedCompose(t, images));
    });
}
