// lab status [--json]
import type { Command } from 'commander';
import { engineFor } from '../../engine/index.js';
import { runningShape, status, type ServiceStatus } from '../../sandbox/index.js';
import { xdsStatusOf, xdsStatusText } from './xds.js';
import { sweepBefore } from '../claim.js';
import { topologyFrom, type GlobalOptions } from '../context.js';
import { c, printJson, table } from '../output.js';

const paint = (s: string, good: string[]) => (good.includes(s) ? c.green(s) : s === 'absent' || s === '—' ? c.dim(s) : c.yellow(s));

function etcdCell(s: ServiceStatus): string {
  if (!s.etcd) return '—';
  if (!s.etcd.registered) return c.yellow('not registered');
  return c.green(`lease ${s.etcd.lease} ttl ${s.etcd.ttl ?? '?'}s`);
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('every service: container state, loopback address, registry state (etcd lease TTL, Consul check), gRPC health')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const base = topologyFrom(cmd.optsWithGlobals<GlobalOptions>());
      const engine = engineFor(base);
      const rt = engine.runtime;
      await sweepBefore(rt, base);
      // What runs: the echo servers there are, and the proxy and the xDS control plane when they run.
      const { running: _, ...shape } = await runningShape(rt, base.project);
      const t = topologyFrom(cmd.optsWithGlobals<GlobalOptions>(), shape);
      const r = await status(rt, t, { reach: engine.reach });
      const xds = t.xds ? await xdsStatusOf(t).catch(() => undefined) : undefined;
      if (opts.json) return printJson(xds ? { ...r, xds: { ...xds, policy: JSON.parse(xds.policyJson || '{}') } } : r);
      const up = r.services.filter((s) => s.container !== 'absent').length;
      process.stdout.write(`${c.bold(r.project)} (${r.topology}) · network ${r.network ?? c.dim('absent')}${r.session ? ` · session ${r.session}` : ''}\n\n`);
      // On a swarm, where each service runs.
      const nodes = r.services.some((s) => s.node);
      process.stdout.write(
        `${table(
          ['SERVICE', 'CONTAINER', ...(nodes ? ['NODE'] : []), 'HOST ADDRESS', 'CLUSTER ADDRESS', 'HEALTH', 'ETCD', 'CONSUL'],
          r.services.map((s) => [
            s.name,
            paint(s.container, ['running']),
            ...(nodes ? [s.node ?? '—'] : []),
            s.hostAddress,
            s.clusterAddress,
            paint(s.health, ['SERVING', 'healthy']),
            etcdCell(s),
            s.consul ? (s.consul.registered ? paint(s.consul.check ?? 'no check', ['passing']) : c.yellow('not registered')) : '—',
          ]),
        )}\n`,
      );
      if (r.extra.length)
        process.stdout.write(`\n${c.yellow('!')} labelled containers the topology does not list: ${r.extra.join(', ')} (lab up removes them)\n`);
      for (const e of r.errors) process.stdout.write(`${c.yellow('!')} ${e}\n`);
      if (xds) process.stdout.write(`\n${xdsStatusText(xds)}\n`);
      if (!up) process.stdout.write(`\n${c.dim('The lab is down. Start it: lab up')}\n`);
    });
}
