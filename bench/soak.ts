// npm run soak [-- --minutes 10]: a churn scenario under three clients — a kill, start, pause,
// unpause, link fault, restart, lease expiry or health flip every 4 s — played in this process on
// its own sandbox (project labsoak, 127.86.x.y). Prints, once a minute, the process's memory (after
// a full GC), live grpc-js channels and subchannels (channelz), and live timers and sockets; then
// whether memory stayed flat (under +10% from minute 2 to the end), whether anything leaked, and
// whether the report is complete. Not in CI's default path: it takes ten minutes.
import { setupLab } from '../src/setup.js';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { getChannelzHandlers } from '@grpc/grpc-js';
import { down, getRuntime } from '../src/sandbox/index.js';
import { parseScenario } from '../src/scenario/load.js';
import { play } from '../src/scenario/player.js';
import { RunContext } from '../src/run/context.js';
import { runRecordOf, writeReport } from '../src/report/write.js';
import { loadTopology } from '../src/topology/load.js';
import { leftovers, testTopologyFile } from '../test/helpers/lab.js';

setupLab();

const args = process.argv.slice(2);
const MINUTES = Number(args[args.indexOf('--minutes') + 1]) || 10;
const PROJECT = 'labsoak';
const say = (s: string) => process.stdout.write(`${s}\n`);

const CHURN = [
  'kill: echo-1',
  'start: echo-1',
  'pause: echo-2',
  'unpause: echo-2',
  'link: { target: echo-3, latency: 50ms, jitter: 10ms }',
  'link: { target: echo-3 }',
  'restart: echo-1',
  'expire-lease: echo-2',
  'health: { echo-3: NOT_SERVING }',
  'health: { echo-3: SERVING }',
];

function churnScenario(minutes: number): string {
  // 15 s past the last minute, so the last sample is taken while traffic still runs.
  const seconds = minutes * 60 + 15;
  const steps = ['  - { at: 2s, expect: { client: rr, errors: { rate: "<60%" }, always: true } }'];
  for (let t = 4, i = 0; t < seconds - 4; t += 4, i++) steps.push(`  - { at: ${t}s, ${CHURN[i % CHURN.length]} }`);
  return `name: soak
duration: ${seconds}s
clients:
  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 4, deadline: 500ms }
  lr: { target: "etcd:///echo", lb: least_request, concurrency: 4, deadline: 500ms }
  pf: { target: "consul:///echo?healthy=true&wait=5s", lb: pick_first, concurrency: 4, deadline: 500ms }
steps:
${steps.join('\n')}
`;
}

/** Live top channels and their subchannels, from grpc-js's own channelz registry. */
function channelz(): Promise<{ channels: number; subchannels: number }> {
  return new Promise((resolve) => {
    const h = getChannelzHandlers() as unknown as {
      GetTopChannels(call: unknown, cb: (e: unknown, r: { channel: Array<{ subchannel_ref: unknown[] }> }) => void): void;
    };
    h.GetTopChannels({ request: { max_results: 10_000, start_channel_id: 0 } }, (_e, r) =>
      resolve({ channels: r.channel.length, subchannels: r.channel.reduce((n, c) => n + c.subchannel_ref.length, 0) }),
    );
  });
}

interface Sample {
  minute: number;
  heapMB: number;
  rssMB: number;
  channels: number;
  subchannels: number;
  timers: number;
  sockets: number;
}

async function sample(minute: number): Promise<Sample> {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const res = process.getActiveResourcesInfo();
  const cz = await channelz();
  return {
    minute,
    heapMB: m.heapUsed / 2 ** 20,
    rssMB: m.rss / 2 ** 20,
    ...cz,
    timers: res.filter((r) => r === 'Timeout').length,
    sockets: res.filter((r) => r === 'TCPSocketWrap').length,
  };
}

const line = (s: Sample) =>
  `  min ${String(s.minute).padStart(2)}  heap ${s.heapMB.toFixed(1).padStart(6)} MB  rss ${s.rssMB.toFixed(0).padStart(4)} MB  channels ${s.channels}  subchannels ${s.subchannels}  timers ${s.timers}  sockets ${s.sockets}`;

async function main() {
  if (!(globalThis as { gc?: unknown }).gc) say('(run with --expose-gc for heap figures after a full GC; npm run soak does)');
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 86);
  await down(rt, PROJECT);
  const text = churnScenario(MINUTES);
  const scenario = parseScenario('soak.yaml', text, (sandbox) => loadTopology(file, sandbox));
  say(`soak: ${MINUTES} min, ${scenario.steps.length - 1} churn actions (one every 4 s), 3 clients, ${os.cpus().length} cores`);
  const samples: Sample[] = [];
  let events = 0;
  let minute = 0;
  let timer: NodeJS.Timeout | undefined;
  const result = await play(scenario, {
    run: RunContext.open({ topologyFile: file, overrides: scenario.sandbox, rt }),
    onEvent: (e) => {
      events++;
      if (e.type === 'phase' && e.phase === 'traffic') {
        timer = setInterval(() => {
          minute++;
          void sample(minute).then((s) => {
            samples.push(s);
            say(line(s));
          });
        }, 60_000);
      }
    },
  });
  if (timer) clearInterval(timer);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-soak-'));
  writeReport(dir, runRecordOf({ name: scenario.name, file: 'soak.yaml', text, clients: scenario.clients, observed: scenario.observed }, result));
  await down(rt, PROJECT);

  const from = samples.find((s) => s.minute === 2) ?? samples[0];
  const last = samples.at(-1)!;
  const growth = from && last ? (last.heapMB - from.heapMB) / from.heapMB : NaN;
  // Complete: every client's series covers the run without a gap (250 ms buckets for the last two
  // minutes, whole seconds before), and every file is there.
  const bucketsPerClient = [...result.buckets.values()].map((b) => b.length);
  const gapless = [...result.buckets.values()].every(
    (b) => b.length > 0 && b[0].t <= 1000 && b[b.length - 1].t >= result.endMs - 1000 && b.every((x, i) => i === 0 || x.t - b[i - 1].t <= 1250),
  );
  const complete = ['summary.md', 'chart.svg', 'timeseries.csv', 'events.jsonl', 'result.json'].every((f) => existsSync(path.join(dir, f))) && gapless;
  const actions = result.verdict.actions;
  say('');
  say(
    `heap from minute ${from?.minute} to ${last?.minute}: ${from?.heapMB.toFixed(1)} → ${last?.heapMB.toFixed(1)} MB (${(100 * growth).toFixed(1)}%; target under +10%)`,
  );
  say(
    `channels ${from?.channels} → ${last?.channels}, subchannels ${from?.subchannels} → ${last?.subchannels}, timers ${from?.timers} → ${last?.timers}, sockets ${from?.sockets} → ${last?.sockets}`,
  );
  say(
    `actions: ${actions.length} ran, ${actions.filter((a) => a.error).length} failed${actions
      .filter((a) => a.error)
      .slice(0, 3)
      .map((a) => ` (${a.text}: ${a.error})`)
      .join('')}`,
  );
  say(
    `report: ${dir} — ${complete ? 'complete' : 'INCOMPLETE'} (${bucketsPerClient.join('/')} buckets per client, no gap over ${(result.endMs / 1000).toFixed(0)} s: ${gapless}; ${events} events; summary ${readFileSync(path.join(dir, 'summary.md'), 'utf8').length} bytes)`,
  );
  say(`left behind: ${JSON.stringify(await leftovers(PROJECT))}`);
  process.exitCode = growth < 0.1 && complete ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
