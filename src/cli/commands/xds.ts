// lab xds bootstrap | status: the lab's xDS control plane from outside. `bootstrap` prints the
// bootstrap JSON (gRFC A27) a client outside the lab (grpc-go, grpc-java, C-core, grpc-js) reads from
// GRPC_XDS_BOOTSTRAP to use the lab's control plane with an xds:///echo target; `status` shows its
// clients, the versions each ACKed or NACKed, and the load reports per locality.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EnvironmentError, InputError } from '../../errors.js';
import { engineFor } from '../../engine/index.js';
import type { Topology } from '../../topology/index.js';
import { userBootstrap, XdsControl, type XdsStatus } from '../../xds/index.js';
import { topologyFrom, type GlobalOptions } from '../context.js';
import { c, printJson, table } from '../output.js';
import { registerXdsTestClient } from './xds-test-client.js';

const sec = (ms: number) => `${(Number(ms) / 1000).toFixed(1)}s`;

export async function xdsStatusOf(t: Topology): Promise<XdsStatus> {
  const ctl = new XdsControl(engineFor(t).reach(t.xds!.hostAddress));
  try {
    return await ctl.status(1500);
  } catch (err) {
    throw new EnvironmentError(
      `the xDS control plane at ${t.xds!.hostAddress} does not answer: ${(err as { details?: string }).details || (err as Error).message}`,
      {
        hint: 'Is it running? `lab up --xds` starts it; `lab status` shows it.',
      },
    );
  } finally {
    ctl.close();
  }
}

/** What was pushed, as one line: the parts that differ from the default policy ("lb wrr_smooth; split v1 90/v2 10; 2 routes"). */
export function policyText(json: string): string {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(json || '{}') as Record<string, unknown>;
  } catch {
    return 'unreadable';
  }
  const parts: string[] = [];
  if (p.lb && p.lb !== 'round_robin') parts.push(`lb ${String(p.lb)}`);
  const split = p.split as { weights?: Record<string, number> } | undefined;
  if (split?.weights)
    parts.push(
      `split ${Object.entries(split.weights)
        .map(([k, w]) => `${k} ${w}`)
        .join('/')}`,
    );
  const routes = (p.routes as unknown[] | undefined)?.length;
  if (routes) parts.push(`${routes} route(s)`);
  for (const k of ['weights', 'health', 'localities', 'subsetMaxRequests'] as const)
    if (p[k] && Object.keys(p[k] as object).length) parts.push(`${k} ${JSON.stringify(p[k])}`);
  for (const k of ['retry', 'hashHeader', 'outlierDetection', 'maxRequests', 'timeoutMs', 'fault', 'broken'] as const) if (p[k] !== undefined) parts.push(k);
  return parts.length ? parts.join('; ') : 'the default (round_robin over every healthy endpoint)';
}

/** The control plane's clients and load reports, as lines for a terminal. */
export function xdsStatusText(s: XdsStatus): string {
  const versions = ['LDS', 'RDS', 'CDS', 'EDS'].map((k) => `${k} v${s.versions[k] ?? '?'}`).join('  ');
  const lines = [
    `${c.bold('xDS')} serving ${versions} · endpoints from ${s.source}${s.sourceOk ? '' : c.yellow(` (${s.sourceError})`)}`,
    `  policy: ${policyText(s.policyJson)} (kept in etcd: a restart serves it again, at the next versions)`,
  ];
  const clients = s.clients.map((cl) => [
    cl.nodeId || cl.peer,
    cl.connected ? c.green('connected') : c.dim('gone'),
    cl.types
      .map((t) => {
        const nack = t.nackedVersion && t.nackedVersion === t.sentVersion ? c.red(` NACK v${t.nackedVersion}`) : '';
        return `${t.type} ${t.ackedVersion ? `v${t.ackedVersion}` : '—'}${nack}`;
      })
      .join('  '),
  ]);
  if (clients.length) lines.push('', table(['CLIENT (NODE ID)', 'STREAM', 'ACKED'], clients));
  const nacks = s.clients.flatMap((cl) =>
    cl.types.filter((t) => t.nackError).map((t) => `  ${cl.nodeId} NACKed ${t.type} v${t.nackedVersion} at ${sec(Number(t.nackedAtMs))}: ${t.nackError}`),
  );
  if (nacks.length) lines.push('', ...nacks.map((n) => c.yellow(n)));
  if (s.loads.length)
    lines.push(
      '',
      table(
        ['LOAD REPORTS (LRS)', 'CLUSTER', 'ZONE', 'OK', 'ERRORS', 'ISSUED'],
        s.loads.map((l) => [l.nodeId, l.cluster, l.zone || '—', String(l.successful), String(l.errors), String(l.issued)]),
      ),
    );
  return lines.join('\n');
}

/** The topology with its control plane; one without an xds service says so (there is nothing to point a client at). */
export function withXds(cmd: Command): Topology & { xds: NonNullable<Topology['xds']> } {
  const t = topologyFrom(cmd.optsWithGlobals<GlobalOptions>(), { xds: true });
  if (!t.xds)
    throw new InputError(`${t.file} has no xDS control plane (no service with x-lab.role: xds)`, {
      hint: "Add the xds service from the lab's own compose/lab.yaml, or use a topology that has it.",
    });
  return t as Topology & { xds: NonNullable<Topology['xds']> };
}

export function registerXds(program: Command): void {
  const xds = program.command('xds').description("the lab's xDS control plane: a bootstrap for your own clients, and what it knows of its clients");
  xds
    .command('bootstrap')
    .description('print a bootstrap JSON for an xDS client outside the lab (GRPC_XDS_BOOTSTRAP=<file>, target xds:///echo)')
    .option('--node-id <id>', 'the node id the control plane will know the client by', undefined)
    .option('--zone <zone>', "the client's locality (zone)")
    .option('--addresses <kind>', 'host (loopback addresses, for clients on this machine) or cluster (container names, inside the lab network)', 'host')
    .option('-o, --output <file>', 'write it to a file instead of stdout')
    .action((opts: { nodeId?: string; zone?: string; addresses: string; output?: string }, cmd: Command) => {
      if (opts.addresses !== 'host' && opts.addresses !== 'cluster') throw new InputError(`--addresses expects host or cluster, found "${opts.addresses}"`);
      if (opts.nodeId !== undefined && !/^[\w.:@/-]{1,128}$/.test(opts.nodeId))
        throw new InputError(`--node-id: expected 1 to 128 letters, digits and - _ . : @ /, found "${opts.nodeId}"`);
      const t = withXds(cmd);
      const zones = [...new Set(t.instances.filter((i) => i.role === 'echo').map((i) => i.zone))].filter(Boolean);
      if (opts.zone !== undefined && !zones.includes(opts.zone))
        throw new InputError(`--zone: no echo server is in zone "${opts.zone}" (zones: ${zones.join(', ') || 'none'})`, {
          hint: 'A client prefers the endpoints of its own zone; name one the echo servers are in.',
        });
      const server = opts.addresses === 'cluster' ? t.xds.clusterAddress : t.xds.hostAddress;
      const json = `${JSON.stringify(userBootstrap(server, { nodeId: opts.nodeId, zone: opts.zone, addresses: opts.addresses }), null, 2)}\n`;
      if (!opts.output) return void process.stdout.write(json);
      try {
        writeFileSync(opts.output, json);
      } catch (err) {
        throw new InputError(`cannot write ${opts.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      process.stderr.write(`wrote ${opts.output}; run your client with GRPC_XDS_BOOTSTRAP=${opts.output} and the target xds:///echo\n`);
    });
  registerXdsTestClient(xds, withXds);
  xds
    .command('status')
    .description('the control plane: versions it serves, its clients and what each ACKed or NACKed, load reports')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const s = await xdsStatusOf(withXds(cmd));
      if (opts.json) return printJson({ ...s, policy: JSON.parse(s.policyJson || '{}') });
      process.stdout.write(`${xdsStatusText(s)}\n`);
    });
}
