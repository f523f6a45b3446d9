// Benchmark of the traffic engine (issue 3), in one run on this machine:
//   picks per second of every balancer at 3 and 100 backends (the real balancer classes on fake
//   subchannels); RPS and CPU per 1,000 calls of the driver with full per-backend accounting against
//   a bare grpc-js client loop with built-in round_robin on the same backends (the lab's echo
//   containers); on one echo server, h2load and a python3-grpcio (C-core) client as yardsticks;
//   and the idle link proxy's cost: RPS and latency through it against the echo's direct port.
// Usage: npm run bench:traffic [-- --seconds 5 --concurrency 64 --json]
import os from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { connectivityState as ConnectivityState, Metadata } from '@grpc/grpc-js';
import { $ } from 'zx';
import { down, getRuntime, up } from '../src/sandbox/index.js';
import { echoClient, unary } from '../src/grpc/index.js';
import { setupLab } from '../src/setup.js';
import { FakeCluster } from '../test/helpers/fake-subchannels.js';
import { ROOT, leftovers, tempDir, testTopology, testTopologyFile } from '../test/helpers/lab.js';

setupLab();
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const SECONDS = flag('--seconds', 5);
const CONCURRENCY = flag('--concurrency', 64);
const JSON_OUT = args.includes('--json');
const PROJECT = 'labbench';
const say = (s: string) => !JSON_OUT && process.stdout.write(`${s}\n`);

function picksPerSecond(policy: string, n: number): number {
  const cluster = new FakeCluster();
  const addresses = Array.from({ length: n }, (_, i) => `10.9.${i >> 8}.${i & 255}:50051`);
  cluster.resolve(addresses, { [policy]: {} });
  for (const a of addresses) cluster.set(a, ConnectivityState.READY);
  const md = new Metadata();
  md.set('x-lab-key', 'user-42');
  const args = { metadata: md, extraPickInfo: {} };
  const picker = cluster.picker!;
  let picks = 0;
  let complete = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300) {
    // Use every result, or V8 may drop a pick that has no side effects.
    for (let i = 0; i < 1000; i++) if (picker.pick(args).subchannel !== null) complete++;
    picks += 1000;
  }
  cluster.handler.destroy();
  if (complete !== picks) throw new Error(`${policy}: ${picks - complete} of ${picks} picks did not complete`);
  return picks / ((performance.now() - t0) / 1000);
}

type Run = { calls: number; secs: number; cpuMs: number };

/** bench/bare-loop.mjs in its own process: bare grpc-js, round_robin, the same deadline. */
async function bareLoop(target: string, seconds: number): Promise<Run> {
  const r = await $({ quiet: true })`${process.execPath} ${path.join(ROOT, 'bench/bare-loop.mjs')} ${target} ${CONCURRENCY} ${seconds}`;
  return JSON.parse(r.stdout) as Run;
}

/** The lab's driver as users run it (the built CLI, its own process), with full accounting. */
async function driverLoop(target: string, seconds: number): Promise<Run> {
  const args = [
    path.join(ROOT, 'bin/lab.js'),
    'traffic',
    '-t',
    target,
    '--lb',
    'round_robin',
    '--concurrency',
    CONCURRENCY,
    '--deadline',
    '5s',
    '-d',
    `${seconds}s`,
    '--json',
  ];
  const r = await $({ quiet: true })`${process.execPath} ${args.map(String)}`;
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { total: { ok: number }; elapsedMs: number; cpuMs: number };
  return { calls: summary.total.ok, secs: summary.elapsedMs / 1000, cpuMs: summary.cpuMs };
}

async function h2load(address: string, seconds: number): Promise<number | string> {
  const dir = tempDir('lab-h2load-');
  const body = path.join(dir, 'body.bin');
  const msg = Buffer.from([0x0a, 0x05, ...Buffer.from('hello')]);
  writeFileSync(body, Buffer.concat([Buffer.from([0, 0, 0, 0, msg.length]), msg]));
  const url = `http://${address}/grpc.examples.echo.Echo/UnaryEcho`;
  const r = await $({
    nothrow: true,
    quiet: true,
  })`h2load -c 1 -m ${CONCURRENCY} -D ${seconds} -d ${body} -H ${'content-type: application/grpc'} -H ${'te: trailers'} ${url}`;
  const m = /finished in [\d.]+s, ([\d.]+) req\/s/.exec(r.stdout);
  return m ? Number(m[1]) : `failed: ${r.stderr || r.stdout}`.slice(0, 200);
}

async function grpcio(target: string, seconds: number): Promise<number | string> {
  const r = await $({ nothrow: true, quiet: true })`/usr/bin/python3 ${path.join(ROOT, 'bench/yardstick-grpcio.py')} ${target} ${CONCURRENCY} ${seconds}`;
  const [done, secs] = r.stdout.trim().split(/\s+/).map(Number);
  return Number.isFinite(done) ? done / secs : `failed: ${r.stderr}`.slice(0, 200);
}

/** p50 and p99 of 1,000 sequential unary calls from this process (after 200 to warm up). */
async function sequentialLatency(address: string): Promise<{ p50: number; p99: number }> {
  const client = echoClient(`ipv4:${address}`);
  const xs: number[] = [];
  try {
    for (let i = 0; i < 1200; i++) {
      const t0 = performance.now();
      await unary((o, cb) => client.UnaryEcho({ message: 'hello' }, o, cb), 5000);
      if (i >= 200) xs.push(performance.now() - t0);
    }
  } finally {
    client.close();
  }
  xs.sort((a, b) => a - b);
  return { p50: xs[Math.floor(xs.length * 0.5)], p99: xs[Math.floor(xs.length * 0.99)] };
}

async function main() {
  const result: Record<string, unknown> = {};
  say(`traffic engine benchmark · ${os.cpus().length} cores · ${CONCURRENCY} calls in flight · ${SECONDS} s per run\n`);

  say("picks per second (the balancer's picker, READY backends, fake subchannels):");
  const picks: Record<string, { at3: number; at100: number }> = {};
  for (const policy of ['pick_first', 'round_robin', 'random', 'weighted_random', 'wrr_smooth', 'wrr_lvs', 'least_request', 'p2c_ewma', 'ring_hash']) {
    picks[policy] = { at3: picksPerSecond(policy, 3), at100: picksPerSecond(policy, 100) };
    say(
      `  ${policy.padEnd(16)} ${(picks[policy].at3 / 1e6).toFixed(2).padStart(6)} M/s at 3   ${(picks[policy].at100 / 1e6).toFixed(2).padStart(6)} M/s at 100`,
    );
  }
  result.picksPerSecond = picks;

  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 80);
  await down(rt, PROJECT);
  await up(rt, testTopology(file));
  try {
    const three = 'ipv4:127.80.1.1:50051,127.80.1.2:50051,127.80.1.3:50051';
    say(`\nRPS against the lab's 3 echo containers (${three}), round_robin:`);
    await bareLoop(three, 2); // warm-up of the echo servers (their JIT)
    const bare: Run[] = [];
    const driver: Run[] = [];
    for (let i = 0; i < 3; i++) {
      bare.push(await bareLoop(three, SECONDS));
      driver.push(await driverLoop(three, SECONDS));
    }
    const rps = (xs: Run[]) => xs.reduce((n, x) => n + x.calls, 0) / xs.reduce((n, x) => n + x.secs, 0);
    const cpuPer1000 = (xs: Run[]) => (1000 * xs.reduce((n, x) => n + x.cpuMs, 0)) / xs.reduce((n, x) => n + x.calls, 0);
    result.bareRps = rps(bare);
    result.driverRps = rps(driver);
    result.bareCpuMsPer1000 = cpuPer1000(bare);
    result.driverCpuMsPer1000 = cpuPer1000(driver);
    say(`  (each its own process, alternating, 3 runs each; the same deadline per call)`);
    say(`  bare grpc-js loop      ${Math.round(rps(bare))} RPS   ${cpuPer1000(bare).toFixed(1)} ms CPU per 1,000 calls`);
    say(`  lab driver (counted)   ${Math.round(rps(driver))} RPS   ${cpuPer1000(driver).toFixed(1)} ms CPU per 1,000 calls`);
    say(`  driver / bare          ${(rps(driver) / rps(bare)).toFixed(3)} (target: at least 0.95)`);

    const one = '127.80.1.1:50051';
    say(`\nyardsticks on one echo server (${one}):`);
    const bareOne = await bareLoop(`ipv4:${one}`, SECONDS);
    result.bareOneRps = bareOne.calls / bareOne.secs;
    result.h2loadRps = await h2load(one, SECONDS);
    result.grpcioRps = await grpcio(`ipv4:${one}`, SECONDS);
    say(`  bare grpc-js loop      ${Math.round(result.bareOneRps as number)} RPS`);
    say(`  h2load (nghttp2)       ${typeof result.h2loadRps === 'number' ? Math.round(result.h2loadRps) : result.h2loadRps} RPS`);
    say(`  python3-grpcio (C-core) ${typeof result.grpcioRps === 'number' ? Math.round(result.grpcioRps) : result.grpcioRps} RPS`);

    // The link proxy (issue 4) sits on every host address; the direct port is beside it (+1).
    const viaLink = one;
    const direct = '127.80.1.1:50052';
    say(`\nthe link proxy's cost, idle (one echo: ${viaLink} through the proxy vs ${direct} direct):`);
    const linkRuns: Run[] = [];
    const directRuns: Run[] = [];
    for (let i = 0; i < 2; i++) {
      directRuns.push(await bareLoop(`ipv4:${direct}`, SECONDS));
      linkRuns.push(await bareLoop(`ipv4:${viaLink}`, SECONDS));
    }
    const [latDirect, latLink] = [await sequentialLatency(direct), await sequentialLatency(viaLink)];
    result.linkProxy = {
      directRps: rps(directRuns),
      linkRps: rps(linkRuns),
      directP50Ms: latDirect.p50,
      linkP50Ms: latLink.p50,
      directP99Ms: latDirect.p99,
      linkP99Ms: latLink.p99,
    };
    say(
      `  RPS, ${CONCURRENCY} in flight   direct ${Math.round(rps(directRuns))}   through the proxy ${Math.round(rps(linkRuns))}   ratio ${(rps(linkRuns) / rps(directRuns)).toFixed(3)}`,
    );
    say(
      `  one call at a time     direct p50 ${latDirect.p50.toFixed(2)} ms p99 ${latDirect.p99.toFixed(2)} ms   through the proxy p50 ${latLink.p50.toFixed(2)} ms p99 ${latLink.p99.toFixed(2)} ms`,
    );
  } finally {
    await down(rt, PROJECT);
  }
  result.leftovers = await leftovers(PROJECT);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else say(`\nleft behind: ${JSON.stringify(result.leftovers)}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
