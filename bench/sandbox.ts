// Benchmark of the sandbox (issue 2), in one run on this machine:
//   lab up with images cold and cached, re-up, lab down, the echo container's memory, and the same
//   containers through docker-compose (Debian's package) as the yardstick.
// Usage: npm run bench [-- --runs 3 --json]; npm run bench -- --scale 30,100 (bench/scale.ts);
// npm run bench -- --engine swarm (bench/swarm.ts)
// Runs on its own project (labbench) and loopback range (127.80.x.y); removes all it made.
import { setupLab } from '../src/setup.js';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { $ } from 'zx';
import { echoMemory } from './memory.js';
import { cacheDir } from '../src/util/paths.js';
import { lab, leftovers, tempDir, testTopologyFile } from '../test/helpers/lab.js';
import { median } from './lib/stats.js';

setupLab();

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 3;
const JSON_OUT = args.includes('--json');
const PROJECT = 'labbench';
const COMPOSE_PROJECT = 'labbenchdc';
const say = (s: string) => !JSON_OUT && process.stdout.write(`${s}\n`);
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function run(cmd: string, argv: string[], env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const r = await $({ nothrow: true, quiet: true, env: { ...process.env, ...env } })`${cmd} ${argv}`;
  if (r.exitCode !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.exitCode}):\n${r.stdall}`);
  return performance.now() - t0;
}

async function labTimed(file: string, argv: string[], env: Record<string, string> = {}): Promise<number> {
  const r = await lab(['-f', file, ...argv], { env });
  if (r.exitCode !== 0) throw new Error(`lab ${argv.join(' ')} failed:\n${r.stderr}`);
  return r.ms;
}

async function main() {
  if (args.includes('--engine')) {
    // npm run bench -- --engine swarm: one engine against a three-node swarm (bench/swarm.ts).
    if (args[args.indexOf('--engine') + 1] !== 'swarm') throw new Error('--engine takes swarm (one engine is the yardstick beside it)');
    const { runSwarmBench } = await import('./swarm.js');
    return runSwarmBench(RUNS, JSON_OUT);
  }
  if (args.includes('--scale')) {
    // npm run bench -- --scale 30: the lab at N backends against 3 (bench/scale.ts).
    const { runScale } = await import('./scale.js');
    const list = (args[args.indexOf('--scale') + 1] ?? '30').split(',').map(Number);
    if (!list.every((n) => Number.isInteger(n) && n >= 1 && n <= 250)) throw new Error('--scale takes a list of echo counts, e.g. --scale 30,100');
    return runScale(list, JSON_OUT);
  }
  const file = testTopologyFile(PROJECT, 80);
  await lab(['-f', file, 'down']);
  say(`lab sandbox benchmark · ${os.cpus().length} cores · ${RUNS} runs each · project ${PROJECT} on 127.80.x.y\n`);

  // Cold: the lab's images removed and the file-hash cache empty, so up assembles all three.
  const images = (await $({ quiet: true })`docker images --format {{.Repository}}:{{.Tag}}`).stdout
    .split('\n')
    .filter((r) => /^lab\/(etcd|consul|echo):/.test(r));
  const inUse = (await $({ quiet: true })`docker ps -a --format {{.Image}}`).stdout.split('\n').filter((i) => images.includes(i));
  let coldMs: number | undefined;
  if (inUse.length === 0) {
    if (images.length) await $({ quiet: true })`docker rmi ${images}`;
    const coldCache = tempDir('lab-cold-cache-');
    coldMs = await labTimed(file, ['up'], { LAB_CACHE: coldCache, LAB_CONSUL_BIN: path.join(cacheDir(), 'consul/usr/bin/consul') });
    say(`cold up (assembles 3 images): ${sec(coldMs)}`);
    await labTimed(file, ['down']);
  } else say(`cold up: skipped (lab images are in use by running containers: ${inUse.join(', ')})`);

  // Warm: images cached, no containers.
  const warm: number[] = [];
  const downs: number[] = [];
  const reups: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    warm.push(await labTimed(file, ['up']));
    reups.push(await labTimed(file, ['up']));
    await sleep(1000);
    downs.push(await labTimed(file, ['down']));
    say(`run ${i + 1}: warm up ${sec(warm[i])} · re-up (nothing to do) ${sec(reups[i])} · down ${sec(downs[i])}`);
  }

  // Memory of idle echo servers, 5 s after they came up.
  await labTimed(file, ['up']);
  await sleep(5000);
  const mem = await echoMemory(PROJECT);
  for (const m of mem)
    say(
      `${m.name}: VmRSS ${m.rssMB.toFixed(1)} MB · private (RssAnon) ${m.anonMB.toFixed(1)} MB · PSS ${m.pssMB.toFixed(1)} MB · cgroup anon ${m.cgroupMB.toFixed(1)} MB`,
    );

  // The yardstick: the same containers through docker-compose (no readiness waits, no registration wait).
  const composeFile = path.join(tempDir('lab-bench-compose-'), 'compose.yaml');
  const expanded = await lab(['-f', file, 'config', '--expanded']);
  await labTimed(file, ['down']);
  writeFileSync(
    composeFile,
    expanded.stdout.replaceAll(`dev.lab.project: ${PROJECT}`, `dev.lab.project: ${COMPOSE_PROJECT}`).replaceAll(`${PROJECT}-`, `${COMPOSE_PROJECT}-`),
  );
  const dcUp: number[] = [];
  const dcDown: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    dcUp.push(await run('docker-compose', ['-p', COMPOSE_PROJECT, '-f', composeFile, 'up', '-d', '--quiet-pull']));
    await sleep(1000);
    // -v: etcd's anonymous volume goes too, as it does with lab down.
    dcDown.push(await run('docker-compose', ['-p', COMPOSE_PROJECT, '-f', composeFile, 'down', '-v']));
    say(`docker-compose run ${i + 1}: up -d ${sec(dcUp[i])} · down ${sec(dcDown[i])}`);
  }

  const left = [await leftovers(PROJECT), await leftovers(COMPOSE_PROJECT)];
  const result = {
    runs: RUNS,
    coldUpMs: coldMs,
    warmUpMs: median(warm),
    reUpMs: median(reups),
    downMs: median(downs),
    composeUpMs: median(dcUp),
    composeDownMs: median(dcDown),
    echoMemoryMB: mem,
    leftovers: left,
  };
  if (JSON_OUT) return void process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const maxRss = Math.max(...mem.map((m) => m.rssMB));
  const maxAnon = Math.max(...mem.map((m) => m.anonMB));
  say(`
summary (medians)                         lab        docker-compose
  up, images cached, until all ready      ${sec(result.warmUpMs).padEnd(10)} ${sec(result.composeUpMs)} (started only: no health, no registration)
  up again (nothing to change)            ${sec(result.reUpMs)}
  down                                    ${sec(result.downMs).padEnd(10)} ${sec(result.composeDownMs)}
  up, images cold                         ${coldMs ? sec(coldMs) : 'skipped'}
  echo memory (max of ${mem.length})                  VmRSS ${maxRss.toFixed(1)} MB, private ${maxAnon.toFixed(1)} MB (target: under 60 MB)
  warm up / docker-compose up             ${(result.warmUpMs / result.composeUpMs).toFixed(2)}× (target: at most 1)
  down under 2 s                          ${result.downMs < 2000 ? 'yes' : 'no'}
  left behind                             ${left.every((l) => !l.containers.length && !l.networks.length) ? 'nothing' : JSON.stringify(left)}`);
}

main().catch(async (err) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  await $({ nothrow: true, quiet: true })`docker-compose -p ${COMPOSE_PROJECT} down -v`;
  process.exitCode = 1;
});
