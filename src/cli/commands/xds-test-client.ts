// lab xds test-client: the lab's xDS interop test client, with grpc's flags (--server, --stats_port,
// --qps, --num_channels, --rpc, --metadata, --rpc_timeout_sec, --fail_on_failed_rpcs), so a test
// driver written for grpc's clients drives it the same way: it calls at a constant rate until
// Ctrl-C, and answers LoadBalancerStatsService and XdsUpdateClientConfigureService (and CSDS) on
// 127.0.0.1:<stats_port>. Against the sandbox's control plane it takes the lab's bootstrap (its node
// id, --zone); with GRPC_XDS_BOOTSTRAP set, that file.
import type { Command } from 'commander';
import { EXIT, InputError } from '../../errors.js';
import { isXdsTarget, registerXdsClient, targetProblem, XDS_BOOTSTRAP_OPTION } from '../../traffic/index.js';
import { startStatsServer, XdsTestClient, type RpcType } from '../../interop/index.js';
import type { Topology } from '../../topology/index.js';
import { userBootstrap } from '../../xds/index.js';
import { abortOnInterrupt } from '../interrupt.js';
import { positiveInt } from '../context.js';

const TYPES: RpcType[] = ['UnaryCall', 'EmptyCall'];

interface Flags {
  server: string;
  stats_port: number;
  qps: number;
  num_channels: number;
  rpc: string;
  metadata: string;
  rpc_timeout_sec: number;
  fail_on_failed_rpcs?: boolean;
  nodeId: string;
  zone?: string;
}

/** "UnaryCall,EmptyCall" */
function rpcsOf(text: string): RpcType[] {
  const out = text.split(',').map((t) => t.trim());
  for (const t of out) if (!TYPES.includes(t as RpcType)) throw new InputError(`--rpc: expected UnaryCall, EmptyCall or both (comma-separated), found "${t}"`);
  return [...new Set(out)] as RpcType[];
}

/** "EmptyCall:xds_md:exact_match,UnaryCall:xds_md:unary_yranu" */
function metadataOf(text: string): Array<{ type: RpcType; key: string; value: string }> {
  if (!text.trim()) return [];
  return text.split(',').map((entry) => {
    const [type, key, ...rest] = entry.split(':');
    if (!TYPES.includes(type as RpcType) || !key || !rest.length)
      throw new InputError(`--metadata: expected type:key:value (e.g. EmptyCall:xds_md:exact_match), found "${entry}"`);
    return { type: type as RpcType, key: key.toLowerCase(), value: rest.join(':') };
  });
}

export function registerXdsTestClient(xds: Command, withXds: (cmd: Command) => Topology & { xds: NonNullable<Topology['xds']> }): void {
  xds
    .command('test-client')
    .description(
      "the lab's xDS interop test client, for grpc's xDS test cases: calls at a constant rate until Ctrl-C; LoadBalancerStatsService, XdsUpdateClientConfigureService and CSDS on 127.0.0.1:<stats_port>",
    )
    .option('--server <target>', 'what it dials', 'xds:///echo')
    .option('--stats_port <port>', 'where its stats services listen, on 127.0.0.1', positiveInt('--stats_port', 65535), 50090)
    .option('--qps <n>', 'calls per second on each channel (of each --rpc type)', positiveInt('--qps', 10_000), 100)
    .option('--num_channels <n>', 'channels, each with its own connections', positiveInt('--num_channels', 100), 1)
    .option('--rpc <types>', 'UnaryCall, EmptyCall or both, comma-separated', 'UnaryCall')
    .option('--metadata <list>', 'type:key:value,... on the calls of that type (EmptyCall:xds_md:exact_match)', '')
    .option('--rpc_timeout_sec <n>', 'the deadline of every call', positiveInt('--rpc_timeout_sec', 3600), 20)
    .option('--fail_on_failed_rpcs', 'exit 1 when a call fails after one has succeeded')
    .option('--node-id <id>', "its node id at the lab's control plane", 'xds-test-client')
    .option('--zone <zone>', 'its locality (zone), for locality failover cases')
    .action(async (flags: Flags, cmd: Command) => {
      const wrong = targetProblem(flags.server);
      if (wrong) throw new InputError(`--server: ${wrong}`);
      const rpcs = rpcsOf(flags.rpc);
      const metadata = metadataOf(flags.metadata);
      // The lab's bootstrap for its own control plane, unless the environment names one.
      let channelOptions = {};
      if (isXdsTarget(flags.server) && !process.env.GRPC_XDS_BOOTSTRAP) {
        const t = withXds(cmd);
        channelOptions = { [XDS_BOOTSTRAP_OPTION]: JSON.stringify(userBootstrap(t.xds.hostAddress, { nodeId: flags.nodeId, zone: flags.zone })) };
      }
      registerXdsClient();
      const interrupt = abortOnInterrupt();
      const failedNow = new AbortController();
      let failed = false;
      const client = new XdsTestClient({
        server: flags.server,
        qps: flags.qps,
        numChannels: flags.num_channels,
        rpcs,
        metadata,
        rpcTimeoutSec: flags.rpc_timeout_sec,
        channelOptions,
        onFailedAfterSuccess: flags.fail_on_failed_rpcs
          ? (err) => {
              process.stderr.write(`✖ a call failed after one had succeeded: ${err.code} ${err.details}\n`);
              failed = true;
              failedNow.abort();
            }
          : undefined,
      });
      let stats;
      try {
        stats = await startStatsServer(client, `127.0.0.1:${flags.stats_port}`);
      } catch (err) {
        interrupt.dispose();
        client.stop();
        throw new InputError(`--stats_port ${flags.stats_port}: ${(err as Error).message}`, { hint: 'Pick a free port.' });
      }
      client.start();
      process.stdout.write(
        `xDS test client: ${flags.server}, ${flags.qps} calls/s × ${flags.num_channels} channel(s) of ${rpcs.join(', ')}; stats on 127.0.0.1:${stats.port} (Ctrl-C stops)\n`,
      );
      const stop = AbortSignal.any([interrupt.signal, failedNow.signal]);
      await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
      client.stop();
      await stats.close();
      interrupt.dispose();
      process.exitCode = failed ? EXIT.verdictFailed : EXIT.ok;
    });
}
