// Benchmark of the rebalance view (issue 5): the CPU the view costs while 3 clients drive full
// traffic at 30 backends, as a fraction of the driver's own. Alternates phases of driver alone and
// driver + view (reducer on every event, frames at 5 per second into a 160×50 terminal), and
// compares CPU per 1,000 calls; also prints the time measured inside the reducer and the renderer.
// The 30 echo servers run in a child process (their CPU is not counted).
// Usage: npm run bench:view [-- --seconds 6 --backends 30 --json]
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { $ } from 'zx';
import { setupLab } from '../src/setup.js';
import { ClientSet, serviceConfigFrom } from '../src/traffic/index.js';
import { mountView, type ViewHandle } from '../src/view/mount.js';
import { initialView } from '../src/view/state.js';
import { ROOT } from '../test/helpers/lab.js';
import { fakeStdin } from '../test/helpers/fake-terminal.js';

setupLab();

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const SECONDS = flag('--seconds', 6);
const BACKENDS = flag('--backends', 30);
const JSON_OUT = args.includes('--json');
const say = (s: string) => !JSON_OUT && process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A terminal that swallows what it is sent (counting bytes), 160×50. */
function fakeTerminal() {
  const out = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns: 160,
    rows: 50,
    bytes: 0,
    write(chunk: string) {
      this.bytes += chunk.length;
      return true;
    },
  });
  const input = fakeStdin();
  return { out, input };
}

async function main() {
  const child = $({ cwd: ROOT, quiet: true, nothrow: true })`${process.execPath} --import tsx ${path.join(ROOT, 'bench/echo-fleet-child.ts')} ${BACKENDS}`;
  const addresses = await new Promise<string[]>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as string[]));
    void child.then((r) => reject(new Error(`the echo fleet exited: ${r.stderr}`)));
  });
  const names = Object.fromEntries(addresses.map((a, i) => [a, `echo-${i + 1}`]));
  let view: ViewHandle | undefined;
  const t0 = performance.now();
  let calls = 0;
  const clients = new ClientSet({
    channelOptions: {},
    bucketMs: 250,
    now: () => Math.round(performance.now() - t0),
    onEvent: (e) => {
      if (e.type === 'bucket') calls += e.total.calls;
      view?.dispatch(e);
    },
  });
  for (const lb of ['round_robin', 'least_request', 'p2c_ewma'])
    clients.add({ name: lb, target: `ipv4:${addresses.join(',')}`, serviceConfig: serviceConfigFrom(lb), concurrency: 32, deadlineMs: 5000 });
  say(`rebalance view benchmark · ${BACKENDS} backends · 3 clients × 32 in flight · ${SECONDS} s per phase`);
  clients.start();
  await sleep(2000); // warm up the channels and the servers' JIT

  type Phase = { view: boolean; cpuMs: number; calls: number; reduceMs: number; drawMs: number; frames: number };
  const phases: Phase[] = [];
  for (const withView of [false, true, false, true, false, true]) {
    const term = fakeTerminal();
    if (withView) {
      view = mountView(
        initialView({
          title: 'bench',
          mode: 'watch',
          names,
          services: addresses.map((a, i) => ({ name: `echo-${i + 1}`, role: 'echo', hostAddress: a, container: 'running' })),
        }),
        { stdout: term.out as never, stdin: term.input as never },
      );
    }
    const cpu0 = process.cpuUsage();
    const calls0 = calls;
    await sleep(SECONDS * 1000);
    const cpu = process.cpuUsage(cpu0);
    phases.push({
      view: withView,
      cpuMs: (cpu.user + cpu.system) / 1000,
      calls: calls - calls0,
      reduceMs: view?.reduceMs ?? 0,
      drawMs: view?.drawMs ?? 0,
      frames: view?.frames ?? 0,
    });
    view?.unmount();
    view = undefined;
    const p = phases.at(-1)!;
    say(
      `  ${withView ? 'driver + view' : 'driver alone '}  ${Math.round(p.calls / SECONDS)} calls/s  ${((1000 * p.cpuMs) / p.calls).toFixed(1)} ms CPU per 1,000 calls${withView ? `  (${p.frames} frames; in the reducer ${p.reduceMs.toFixed(0)} ms, drawing ${p.drawMs.toFixed(0)} ms)` : ''}`,
    );
  }
  await clients.stop(500);
  child.stdin.end();
  await child;

  const per = (ps: Phase[]) => ps.reduce((n, p) => n + p.cpuMs, 0) / ps.reduce((n, p) => n + p.calls, 0);
  const alone = phases.filter((p) => !p.view);
  const withV = phases.filter((p) => p.view);
  // Each view phase against the driver-alone phase just before it; the median of those pairs.
  const pairs = withV.map((v, i) => (per([v]) - per([alone[i]])) / per([alone[i]])).sort((a, b) => a - b);
  const overhead = pairs[Math.floor(pairs.length / 2)];
  const driverCpuInViewPhases = withV.reduce((n, p) => n + p.calls, 0) * per(alone);
  const measured = withV.reduce((n, p) => n + p.reduceMs + p.drawMs, 0) / driverCpuInViewPhases;
  const result = {
    backends: BACKENDS,
    clients: 3,
    cpuPer1000Alone: 1000 * per(alone),
    cpuPer1000WithView: 1000 * per(withV),
    viewCpuFraction: overhead,
    measuredViewFraction: measured,
    fps: withV.reduce((n, p) => n + p.frames, 0) / (withV.length * SECONDS),
  };
  say(
    `\n  the view's CPU as a fraction of the driver's: ${(100 * overhead).toFixed(1)}% by CPU per call, median of ${pairs.length} pairs (${pairs.map((x) => `${(100 * x).toFixed(1)}%`).join(', ')}; target: under 10%)`,
  );
  say(
    `  CPU measured around the reducer and each frame:  ${(100 * measured).toFixed(1)}% (process CPU: includes V8's helper threads)   at ${result.fps.toFixed(1)} frames per second`,
  );
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
