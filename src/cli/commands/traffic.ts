// lab traffic --target T --lb L --rate N|--concurrency N --duration 10s [--json]
import type { Command } from 'commander';
import { EXIT, InputError, LabError } from '../../errors.js';
import { checkOneEngine, runningShape } from '../../sandbox/index.js';
import { type Topology, callProblem, sandboxTargetProblem, serverNames } from '../../topology/index.js';
import {
  CALL_ID_HEADER,
  CLIENT_HEADER,
  byBackendName,
  isXdsTarget,
  metadataProblem,
  sandboxResolverOptions,
  serviceConfigFrom,
  targetProblem,
  type CallKind,
  type ClientSummary,
  type TrafficClientSpec,
  type TrafficEvent,
} from '../../traffic/index.js';
import { durationProblem, parseDuration } from '../../util/duration.js';
import { topologyFileOf, positiveInt, type GlobalOptions } from '../context.js';
import { RunContext } from '../../run/index.js';
import { abortOnInterrupt } from '../interrupt.js';
import { c, table } from '../output.js';
import { formatBucket } from '../ui/traffic-line.js';
import { helpLines, schemesLine } from '../docs.js';
import { xdsOptionsFor } from '../../xds/index.js';

interface TrafficOptions {
  target: string;
  lb?: string;
  rate?: number;
  concurrency?: number;
  duration: string;
  call: string;
  method?: string;
  deadline: string;
  metadata: string[];
  hashKeys?: number;
  keepalive?: string;
  waitForReady?: boolean;
  dnsInterval?: string;
  json?: boolean;
}

const CALLS = ['unary', 'server-stream', 'client-stream', 'bidi'];

function durationFlag(flag: string, value: string, maxMs: number): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InputError(`${flag}: ${durationProblem(value)}, found "${value}"`);
  if (ms <= 0 || ms > maxMs) throw new InputError(`${flag} expects a duration from more than 0 to ${maxMs / 60_000} min, found "${value}"`);
  return ms;
}

export function registerTraffic(program: Command): void {
  program
    .command('traffic')
    .description('run one traffic client headless and print per-second lines naming each backend')
    .option(
      '-t, --target <target>',
      'etcd:///echo, consul:///echo?healthy=true, dns://127.77.0.3:8600/echo.service.consul:50051, ipv4:127.77.1.1:50051,...',
      'etcd:///echo',
    )
    .option('--lb <policy>', 'a balancer name (its defaults) or a whole service config JSON', 'round_robin')
    .option('--rate <n>', 'calls per second (open loop)', positiveInt('--rate', 1_000_000))
    .option('--concurrency <n>', 'calls in flight (closed loop; default 8 when no --rate)', positiveInt('--concurrency', 100_000))
    .option('-d, --duration <time>', 'how long to run (at most 1h)', '10s')
    .option('--call <kind>', `${CALLS.join(' | ')}`, 'unary')
    .option('--method <path>', 'call this method of a server of yours (x-lab.role: server) with an empty message, e.g. /helloworld.Greeter/SayHello')
    .option('--deadline <time>', 'per-call deadline', '1s')
    .option('-H, --metadata <k=v>', 'metadata on every call (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--hash-keys <n>', 'set x-lab-key to one of N keys, round robin (for lab_ring_hash)', positiveInt('--hash-keys', 1_000_000))
    .option('--keepalive <time[:timeout]>', 'client keepalive pings, e.g. 1s:1s')
    .option('--dns-interval <time>', 'grpc.dns_min_time_between_resolutions_ms for dns: targets')
    .option('--wait-for-ready', 'each call waits for a READY backend (until its deadline) instead of failing at once')
    .addHelpText('after', () => `\nTarget schemes: ${schemesLine()}\n\nBalancers (--lb NAME):\n${helpLines('balancers')}\n`)
    .option('--json', 'print events as JSON lines')
    .action(async (opts: TrafficOptions, cmd: Command) => {
      // An xds: target dials the sandbox's control plane: its address comes with the xds service.
      if (isXdsTarget(opts.target) && cmd.getOptionValueSource('lb') === 'cli')
        throw new InputError('--lb: an xds: target takes its balancer from the control plane', {
          hint: 'Drop --lb; `lab xds status` shows the policy it serves, and a scenario’s xds action changes it.',
        });
      const run = RunContext.open({
        topologyFile: topologyFileOf(cmd.optsWithGlobals<GlobalOptions>()),
        overrides: { xds: isXdsTarget(opts.target) || undefined },
      });
      const topology = run.topology;
      const spec = specFromFlags(opts, topology);
      const durationMs = durationFlag('--duration', opts.duration, 3_600_000);
      await needsSandbox(opts.target, run);
      // In this process, or (on a swarm) in an agent inside the overlay, where the backends are.
      run.clock.start();
      const client = run.newClients({
        channelOptions: {},
        bucketMs: 1000,
        onEvent: opts.json ? (e: TrafficEvent) => void process.stdout.write(`${JSON.stringify(e)}\n`) : printLine,
      });
      client.add(spec);
      const interrupt = abortOnInterrupt();
      try {
        await client.prepare();
      } catch (err) {
        interrupt.dispose();
        await client.stop(0);
        throw err;
      }
      const cpu0 = process.cpuUsage();
      try {
        client.start();
      } catch (err) {
        interrupt.dispose();
        throw new InputError(`cannot start a client for ${opts.target}: ${(err as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, durationMs);
        interrupt.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await client.stop();
      const cpu = process.cpuUsage(cpu0);
      interrupt.dispose();
      const summary = client.summary(spec.name);
      if (!summary) throw new LabError(`the client for ${opts.target} said nothing of its run (see .lab/lab.log)`);
      printSummary(summary, summary.cpuMs ?? (cpu.user + cpu.system) / 1000, !!opts.json);
      if (interrupt.signal.aborted) process.exitCode = EXIT.interrupted;
    });
}

/**
 * A target the sandbox answers (its registries, its control plane, its addresses) with no sandbox
 * running would print a run of UNAVAILABLE: say so instead. Other targets (your own servers) go ahead.
 */
async function needsSandbox(target: string, run: RunContext): Promise<void> {
  const t = run.topology;
  const hosts = t.instances.map((i) => i.hostAddress.replace(/:\d+$/, ''));
  if (!/^(etcd|consul|xds):/i.test(target) && !hosts.some((h) => target.includes(h))) return;
  await checkOneEngine(t.project, t.engine);
  const shape = await runningShape(run.rt, t.project);
  if (!shape.running)
    throw new LabError(`${target} is served by the lab's sandbox, and none is running (project ${t.project})`, {
      hint: `Start it: lab up${isXdsTarget(target) ? ' --xds' : ''}`,
    });
  if (isXdsTarget(target) && !shape.xds) throw new LabError(`${target}: the sandbox runs no xDS control plane`, { hint: 'Start it: lab up --xds' });
}

/** The client the flags describe, every flag checked before anything starts. */
function specFromFlags(opts: TrafficOptions, t: Topology): TrafficClientSpec {
  if (opts.rate && opts.concurrency) throw new InputError('--rate and --concurrency exclude each other: pick an open or a closed loop');
  if (!CALLS.includes(opts.call)) throw new InputError(`--call expects one of ${CALLS.join(', ')}, found "${opts.call}"`);
  const targetWrong = targetProblem(opts.target) ?? sandboxTargetProblem(opts.target, t);
  if (targetWrong) throw new InputError(`--target: ${targetWrong}`);
  if (opts.method !== undefined && opts.call !== 'unary') throw new InputError(`--method calls it unary; --call ${opts.call} is the echo's own (drop one)`);
  const callWrong = callProblem(opts.target, t, opts.method);
  if (callWrong)
    throw new InputError(`${opts.method === undefined ? '--target' : '--method'}: ${callWrong}`, { hint: 'Give --method /package.Service/Method.' });
  const dnsInterval = opts.dnsInterval === undefined ? undefined : durationFlag('--dns-interval', opts.dnsInterval, 3_600_000);
  if (dnsInterval !== undefined && !/^dns:/.test(opts.target))
    throw new InputError(`--dns-interval: only a dns: target resolves again on a timer; ${opts.target} does not (drop --dns-interval)`);
  const metadata: Record<string, string> = {};
  for (const kv of opts.metadata) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new InputError(`--metadata expects key=value, found "${kv}"`);
    const [key, value] = [kv.slice(0, i).toLowerCase(), kv.slice(i + 1)];
    const problem = metadataProblem(key, value);
    if (problem) throw new InputError(`--metadata ${kv}: ${problem}`);
    if (key === CALL_ID_HEADER || key === CLIENT_HEADER)
      throw new InputError(`--metadata ${kv}: ${key} is the lab's own (it ties each call to its pick and to the servers' counts); name your header otherwise`);
    if (key === 'x-lab-key' && opts.hashKeys) throw new InputError(`--metadata ${kv}: --hash-keys sets x-lab-key on every call; keep one of the two`);
    metadata[key] = value;
  }
  let keepalive: { timeMs: number; timeoutMs: number } | undefined;
  if (opts.keepalive) {
    const [time, timeout = '1s'] = opts.keepalive.split(':');
    keepalive = { timeMs: durationFlag('--keepalive', time, 3_600_000), timeoutMs: durationFlag('--keepalive', timeout, 3_600_000) };
  }
  return {
    name: 'traffic',
    target: opts.target,
    serviceConfig: serviceConfigFrom(opts.lb),
    rate: opts.rate,
    concurrency: opts.rate ? undefined : (opts.concurrency ?? 8),
    call: opts.call as CallKind,
    ...(opts.method ? { method: opts.method, names: serverNames(t) } : {}),
    deadlineMs: durationFlag('--deadline', opts.deadline, 3_600_000),
    metadata,
    hashKeys: opts.hashKeys,
    keepalive,
    ...(opts.waitForReady ? { waitForReady: true } : {}),
    channelOptions: {
      ...sandboxResolverOptions(t),
      ...xdsOptionsFor(t, 'traffic', opts.target),
      ...(dnsInterval ? { 'grpc.dns_min_time_between_resolutions_ms': dnsInterval } : {}),
    },
  };
}

function printLine(e: TrafficEvent): void {
  const at = `${(e.t / 1000).toFixed(1)}s`;
  // The last bucket can be a few ms wide (calls finishing during stop): counted, not printed.
  if (e.type === 'bucket') {
    if (e.widthMs >= 250) process.stdout.write(`${formatBucket(e)}\n`);
  } else if (e.type === 'resolution') process.stdout.write(c.dim(`${at} resolver: ${e.addresses.join(' ') || '(empty)'}${e.note ? ` (${e.note})` : ''}\n`));
  else if (e.type === 'resolver-error') process.stdout.write(c.yellow(`${at} resolver: ${e.message}\n`));
  else if (e.type === 'subchannel' && e.state !== 'CONNECTING') process.stdout.write(c.dim(`${at} ${e.address} ${e.previous} → ${e.state}\n`));
}

/** The table per backend (or one JSON summary line), and the totals with the CPU the client cost. */
function printSummary(run: ClientSummary, cpuMs: number, json: boolean): void {
  const { totals, elapsedMs } = run;
  if (json) {
    const summary = { type: 'summary', ...totals, elapsedMs, cpuMs: Math.round(cpuMs), skipped: run.skipped, attempts: run.attempts };
    return void process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
  const rows = Object.entries(totals.backends)
    .sort(([a], [b]) => byBackendName(a, b))
    .map(([name, s]) => [
      name,
      String(s.calls),
      `${((100 * s.calls) / Math.max(1, totals.total.calls)).toFixed(1)}%`,
      Object.entries(s.errors)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '—',
      `${s.p50Ms} ms`,
      `${s.p99Ms} ms`,
    ]);
  process.stdout.write(`\n${table(['BACKEND', 'CALLS', 'SHARE', 'ERRORS', 'P50', 'P99'], rows)}\n`);
  const secs = elapsedMs / 1000;
  const { calls, ok, extraAttempts } = totals.total;
  const skipped = run.skipped ? `, ${run.skipped} skipped (too many in flight)` : '';
  process.stdout.write(
    `${calls} calls in ${secs.toFixed(1)} s (${Math.round(calls / secs)}/s), ${calls - ok} errors, ${extraAttempts} extra attempts${skipped}; ${((1000 * cpuMs) / Math.max(1, calls)).toFixed(0)} ms CPU per 1,000 calls\n`,
  );
}
