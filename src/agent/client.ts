// An agent's traffic client: the lab's own driver (ClientSet, one client), run inside a swarm's
// overlay where the backends are. Commands come on stdin, events go to stdout (src/wire/agent-protocol.ts); times
// are on the lab's clock (the machine's clock, which the lab and its agents on the manager share).
import { createInterface } from 'node:readline';
import { ClientSet, type TrafficOnTheWire } from '../traffic/index.js';
import type { AgentCommand as Command, AgentLine as Line, AgentSpec as Spec } from '../wire/index.js';

type AgentCommand = Command<TrafficOnTheWire>;
type AgentLine = Line<TrafficOnTheWire>;
type AgentSpec = Spec<TrafficOnTheWire>;

const say = (line: AgentLine) => process.stdout.write(`${JSON.stringify(line)}\n`);

export async function runClient(spec: AgentSpec): Promise<void> {
  let t0 = Date.now();
  const clients = new ClientSet({
    channelOptions: spec.channelOptions,
    bucketMs: spec.bucketMs,
    now: () => Date.now() - t0,
    onEvent: (event) => say({ agent: 'event', event }),
  });
  clients.add(spec.client);
  let stopping: Promise<void> | undefined;
  const stop = (graceMs: number) =>
    (stopping ??= clients.stop(graceMs).then(() => {
      const summary = clients.summary(spec.client.name);
      const cpu = process.cpuUsage();
      if (summary) say({ agent: 'summary', summary: { ...summary, cpuMs: Math.round((cpu.user + cpu.system) / 1000) } });
      say({ agent: 'stopped' });
      process.exitCode = 0;
      lines.close();
    }));
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (text) => {
    let c: AgentCommand;
    try {
      c = JSON.parse(text) as AgentCommand;
    } catch {
      return say({ agent: 'error', message: `not a command: ${text.slice(0, 80)}` });
    }
    if (c.cmd === 'start') {
      t0 = c.t0;
      clients.start();
    } else if (c.cmd === 'set-service-config') clients.setServiceConfig(spec.client.name, c.serviceConfig);
    else if (c.cmd === 'pause') void clients.pause();
    else if (c.cmd === 'resume') clients.resume();
    else if (c.cmd === 'stop') void stop(c.graceMs);
  });
  // The lab went away (its end of the attach closed): stop, and exit.
  lines.on('close', () => void stop(500));
  process.on('SIGTERM', () => void stop(500));
  say({ agent: 'ready' });
}
