// What the lab and an agent say to each other on a swarm, one JSON object per line: commands on the
// agent's stdin, events on its stdout (both through the Docker API: attach). No listener.
import type { ChannelOptions } from '@grpc/grpc-js';
import type { ClientSummary, ServiceConfigJson, TrafficClientSpec, TrafficEvent } from '../traffic/index.js';

/** What an agent is told as it starts (LAB_AGENT, JSON): its one client and the set's options. */
export interface AgentSpec {
  client: TrafficClientSpec;
  channelOptions: ChannelOptions;
  bucketMs: number;
}

export type AgentCommand =
  /** Traffic starts; the set's clock read `t0` (ms since the epoch) at its zero. */
  | { cmd: 'start'; t0: number }
  | { cmd: 'set-service-config'; serviceConfig: ServiceConfigJson }
  | { cmd: 'pause' }
  | { cmd: 'resume' }
  | { cmd: 'stop'; graceMs: number };

export type AgentLine =
  /** The agent runs and reads commands. */
  | { agent: 'ready' }
  /** A traffic event, its time on the set's clock. */
  | { agent: 'event'; event: TrafficEvent }
  /** Traffic stopped and every bucket was sent: the client's whole run, then the agent exits. */
  | { agent: 'summary'; summary: ClientSummary }
  | { agent: 'stopped' }
  | { agent: 'error'; message: string };
