// The lab's agent on a swarm (the lab/agent image): `client` runs one traffic client inside the
// overlay, speaking protocol.ts on stdin/stdout; `gateway` is the lab's way in (gateway.ts).
import { isXdsTarget, setup, type TrafficOnTheWire } from '../traffic/index.js';
import { runClient } from './client.js';
import { runGateway } from './gateway.js';
import type { AgentSpec } from '../wire/index.js';
import { registerBundledXds } from './xds.js';

setup();
const mode = process.argv[2];
const fail = (err: unknown) => {
  process.stdout.write(`${JSON.stringify({ agent: 'error', message: (err as Error).message ?? String(err) })}\n`);
  process.exit(1);
};
if (mode === 'client') {
  const spec = JSON.parse(process.env.LAB_AGENT ?? '{}') as AgentSpec<TrafficOnTheWire>;
  (isXdsTarget(spec.client?.target ?? '') ? registerBundledXds() : Promise.resolve()).then(() => runClient(spec)).catch(fail);
} else if (mode === 'gateway') runGateway(process.env).catch(fail);
else fail(new Error(`usage: agent client|gateway (found ${mode ?? 'nothing'})`));
