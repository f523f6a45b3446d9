// npm run bench -- --engine swarm: the same sandbox on one engine and on a three-node swarm, in one
// run: lab up (images present on this machine; on the swarm they are copied to the workers each time,
// since down removes the copies), lab down, and the time round_robin takes to leave a killed backend
// (kill-node.yaml's rr after the kill), each the median of --runs (default 3), side by side.
// Uses the swarm this engine manages, or makes the test swarm (scripts/test-swarm.sh) and removes it.
// Project labbenchsw on 127.97.x.y (one engine) and 10.216.0.0/24 (the swarm); removes all it made.
import path from 'node:path';
import { $ } from 'zx';
import { LIBRARY, playFile } from '../scripts/scenarios.js';
import { lab, leftovers, ROOT, tempDir, testTopologyFile } from '../test/helpers/lab.js';
import { median } from './lib/stats.js';

const PROJECT = 'labbenchsw';

interface EngineFigures {
  upMs: number[];
  downMs: number[];
  killRebalanceMs: number[];
}

async function measure(file: string, engine: 'docker' | 'swarm', env: Record<string, string>, runs: number, say: (s: string) => void) {
  const flags = ['-f', file, '--engine', engine];
  const run = async (args: string[]) => {
    const r = await lab([...flags, ...args], { env: { ...process.env, ...env }, timeout: 300_000 });
    if (r.exitCode !== 0) throw new Error(`lab --engine ${engine} ${args.join(' ')} failed:\n${r.stderr}`);
    return r.ms;
  };
  const f: EngineFigures = { upMs: [], downMs: [], killRebalanceMs: [] };
  await run(['down']);
  for (let i = 0; i < runs; i++) {
    f.upMs.push(await run(['up']));
    const p = await playFile(path.join(LIBRARY, 'kill-node.yaml'), { topology: file, engine, env, reportRoot: tempDir('lab-bench-swarm-') });
    if (p.exitCode !== 0 || !p.verdict) throw new Error(`kill-node on ${engine} failed:\n${p.output.split('\n').slice(-20).join('\n')}`);
    const kill = p.verdict.actions.find((a) => /SIGKILL/.test(a.text));
    const settled = kill?.rebalance?.rr;
    const rr = settled?.state === 'settled' ? settled.ms : undefined;
    if (rr !== undefined) f.killRebalanceMs.push(rr);
    f.downMs.push(await run(['down']));
    say(
      `  ${engine} run ${i + 1}: up ${(f.upMs[i] / 1000).toFixed(1)} s · rr off the killed echo in ${rr ?? '—'} ms · down ${(f.downMs[i] / 1000).toFixed(1)} s`,
    );
  }
  return f;
}

export async function runSwarmBench(runs: number, json: boolean): Promise<void> {
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  const state = (await $({ quiet: true })`docker info --format {{.Swarm.LocalNodeState}}`).stdout.trim();
  const script = path.join(ROOT, 'scripts/test-swarm.sh');
  let made = false;
  let nodes = process.env.LAB_SWARM_NODES ?? '';
  if (state !== 'active' || !nodes) {
    // The test swarm: made here, or already up (test-swarm.sh up is idempotent and removes one an
    // earlier, killed run left). Removed at the end only when this run made it.
    say('the three-node test swarm (scripts/test-swarm.sh up)');
    const r = await $({ quiet: true, nothrow: true })`bash ${script} up`;
    if (r.exitCode !== 0) throw new Error(r.stderr.trim());
    nodes = /LAB_SWARM_NODES=(\S+)/.exec(r.stdout)![1];
    made = state !== 'active' || /left from an earlier run/.test(r.stderr);
  }
  const file = testTopologyFile(PROJECT, 97, (doc) => doc.setIn(['x-lab', 'swarm', 'subnet'], '10.216.0.0/24'));
  const env = { LAB_SWARM_NODES: nodes };
  const cleanUp = async () => {
    await lab(['-f', file, '--engine', 'swarm', 'down'], { env: { ...process.env, ...env } });
    await lab(['-f', file, 'down']);
    if (made) await $({ quiet: true, nothrow: true })`bash ${script} down`;
  };
  // Ctrl-C or a kill mid-run still removes the sandboxes and the swarm this run made.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: removing what the benchmark made…\n`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    say(`sandbox on one engine and on the swarm · ${runs} runs each · project ${PROJECT}`);
    const one = await measure(file, 'docker', env, runs, say);
    const swarm = await measure(file, 'swarm', env, runs, say);
    const left = await leftovers(PROJECT);
    if (json) return void process.stdout.write(`${JSON.stringify({ one, swarm, leftovers: left }, null, 2)}\n`);
    const row = (name: string, a: number[], b: number[], unit: (x: number) => string) =>
      `${name.padEnd(40)}${unit(median(a)).padStart(12)}${unit(median(b)).padStart(12)}${(median(b) / Math.max(1, median(a))).toFixed(2).padStart(10)}×`;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    say('');
    say(`${'figure (median)'.padEnd(40)}${'one engine'.padStart(12)}${'swarm'.padStart(12)}${'ratio'.padStart(11)}`);
    say(row('lab up (healthy, registered)', one.upMs, swarm.upMs, s));
    say(row('lab down', one.downMs, swarm.downMs, s));
    say(row('round_robin off a killed echo', one.killRebalanceMs, swarm.killRebalanceMs, (ms) => `${ms} ms`));
    say(`left behind: ${left.containers.length || left.networks.length ? JSON.stringify(left) : 'nothing'}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
}
