// lab up [--echo N] [--pull] [--json]
import type { Command } from 'commander';
import { engineFor } from '../../engine/index.js';
import { up } from '../../sandbox/index.js';
import { withSandbox } from '../claim.js';
import { topologyFrom, positiveInt, type GlobalOptions } from '../context.js';
import { abortOnInterrupt } from '../interrupt.js';
import { c, printJson, table } from '../output.js';
import { startProgress } from '../ui/progress.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start etcd, Consul and the echo servers in Docker and wait until all are healthy and registered; re-running reconciles')
    .option('--echo <n>', "number of echo servers (default: the topology's replicas)", positiveInt('--echo', 250))
    .option('--pull', 'pull images that are not present locally instead of assembling them')
    .option('--proxy', 'also run the proxy service (HAProxy: L4 and L7 frontends on loopback)')
    .option('--xds', 'also run the xDS control plane (lookaside balancing for xds:///echo clients)')
    .option('--json', 'print the result as JSON (no progress)')
    .action(async (opts: { echo?: number; pull?: boolean; proxy?: boolean; xds?: boolean; json?: boolean }, cmd: Command) => {
      const t = topologyFrom(cmd.optsWithGlobals<GlobalOptions>(), { echo: opts.echo, pull: opts.pull, proxy: opts.proxy, xds: opts.xds });
      const interrupt = abortOnInterrupt();
      const progress = startProgress(
        `lab up: ${t.project} (${t.file})`,
        t.instances.map((i) => i.name),
        opts.json,
      );
      try {
        const { runtime: rt, reach } = engineFor(t);
        const r = await withSandbox(rt, t, () => up(rt, t, { onEvent: progress.onEvent, signal: interrupt.signal, reach }));
        await progress.stop();
        if (opts.json) return printJson(r);
        process.stdout.write(
          `\n${table(
            ['SERVICE', 'ACTION', 'HOST ADDRESS', 'CLUSTER ADDRESS', 'IMAGE'],
            r.instances.map((i) => [i.name, i.action === 'kept' ? c.dim(i.action) : c.green(i.action), i.hostAddress, i.clusterAddress, c.dim(i.image)]),
          )}\n`,
        );
        if (r.removed.length) process.stdout.write(`removed: ${r.removed.join(', ')}\n`);
        process.stdout.write(`${c.green('✔')} ${t.project} is up in ${(r.ms / 1000).toFixed(1)} s. Next: lab status · lab down\n`);
      } finally {
        await progress.stop();
        interrupt.dispose();
      }
    });
}
