// What the lab and an agent say to each other on a swarm, one JSON object per line: commands on the
// agent's stdin, events on its stdout (both through the Docker API: attach). No listener.
// The lines carry the traffic engine's own types; src/wire names none of the lab's, so they come in
// as one parameter (src/traffic's TrafficOnTheWire) that both sides give.

/** The types the lines carry. */
export interface AgentCarries {
  client: unknown;
  channelOptions: unknown;
  serviceConfig: unknown;
  event: unknown;
  summary: unknown;
}

/** What an agent is told as it starts (LAB_AGENT, JSON): its one client and the set's options. */
export interface AgentSpec<C extends AgentCarries> {
  client: C['client'];
  channelOptions: C['channelOptions'];
  bucketMs: number;
}

export type AgentCommand<C extends AgentCarries> =
  /** Traffic starts; the set's clock read `t0` (ms since the epoch) at its zero. */
  | { cmd: 'start'; t0: number }
  | { cmd: 'set-service-config'; serviceConfig: C['serviceConfig'] }
  | { cmd: 'pause' }
  | { cmd: 'resume' }
  | { cmd: 'stop'; graceMs: number };

export type AgentLine<C extends AgentCarries> =
  /** The agent runs and reads commands. */
  | { agent: 'ready' }
  /** A traffic event, its time on the set's clock. */
  | { agent: 'event'; event: C['event'] }
  /** Traffic stopped and every bucket was sent: the client's whole run, then the agent exits. */
  | { agent: 'summary'; summary: C['summary'] }
  | { agent: 'stopped' }
  | { agent: 'error'; message: string };
