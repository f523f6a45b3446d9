import { type BucketStats } from '../traffic/index.js';

// What the rebalance view shows, as plain data. The reducer (reducer.ts) makes it from engine
// events; components only render it.

export type ContainerState = 'running' | 'paused' | 'exited' | 'absent' | 'starting' | 'created' | 'restarting' | 'dead' | string;

export interface ServiceView {
  name: string;
  role: 'etcd' | 'consul' | 'echo' | string;
  hostAddress: string;
  container: ContainerState;
  /** Echo: SERVING / NOT_SERVING; registries: healthy / unhealthy; or why it is unknown. */
  health?: string;
  /** Echo: seconds left on its etcd lease (undefined: no key). */
  leaseTtl?: number;
  etcdRegistered?: boolean;
  /** Echo: Consul's check (passing, critical, ...), or undefined when not in the catalog. */
  consulCheck?: string;
  weight?: number;
  /** The echo's own fault knobs in force, described ("+100ms, 10% errors"), or ''. */
  fault?: string;
  /** The link fault in force, described, or ''. */
  link?: string;
  /** While the sandbox comes up: what it is doing (pulling, assembling, waiting, ready). */
  progress?: string;
}

export interface BackendView {
  name: string;
  /** Share of the client's calls in the last second, 0..1. */
  share: number;
  rps: number;
  errors: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  /** Share per second over the last minute, oldest first. */
  history: number[];
}

export interface ClientView {
  name: string;
  target: string;
  lb: string;
  rps: number;
  errors: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  backends: BackendView[];
  /** The resolver's latest list of addresses. */
  addresses: string[];
  /** Subchannel state by address. */
  subchannels: Record<string, string>;
  resolverError?: string;
  /** An xDS client: the versions it ACKed (or NACKed) per resource type, and the load reports the control plane got. */
  xds?: {
    types: Array<{ type: string; acked: string; nacked?: string; error?: string }>;
    loads: Record<string, { ok: number; errors: number }>;
    connected: boolean;
  };
  stopped: boolean;
  /** Not the lab's own: its calls as the echo servers counted them (no resolver, no subchannels). */
  observed?: boolean;
  /** The lab's router: the calls it forwarded, as it counted them. */
  router?: boolean;
  /** Per second over the last minute, oldest first (with each backend's share history): p99 and failed calls per second. */
  history: { p99Ms: number[]; failed: number[] };
  /** Its backends in the order it first met them: each keeps its mark (digit) in the history chart when another joins. */
  order: string[];
  /** Not rendered: the buckets of the last second (the window the bars show), and its second. */
  recent: Array<{ t: number; total: BucketStats; backends: Record<string, BucketStats> }>;
  second: number;
}

export type StepState = 'pending' | 'done' | 'failed' | 'waiting' | 'holding' | 'passed' | 'not-judged';

export interface StepView {
  index: number;
  atMs: number;
  kind: 'action' | 'expect';
  text: string;
  state: StepState;
  /** Expectations: time from the step until it held; actions: time until shares settled. */
  rebalanceMs?: number;
  detail?: string;
}

export interface LogLine {
  id: number;
  t: number;
  text: string;
  level: 'info' | 'warn' | 'error' | 'step';
}

export interface ViewState {
  title: string;
  mode: 'watch' | 'play';
  phase: string;
  /** Milliseconds since traffic started (the scenario's clock). */
  nowMs: number;
  durationMs?: number;
  services: ServiceView[];
  clients: ClientView[];
  steps: StepView[];
  log: LogLine[];
  nextLogId: number;
  /** Host address → instance name, to name resolver addresses and subchannels. */
  names: Record<string, string>;
  selectedClient: number;
  selectedService: number;
  help: boolean;
  trafficPaused: boolean;
  /** A line for the bottom of the screen (what a key did, or why it could not). */
  notice?: string;
  verdict?: { ok: boolean; interrupted: boolean; report?: string; lines: string[] };
  /** The scenario picker (`s` in the view): the library's files and the one selected. */
  picker?: { files: string[]; selected: number };
}

export const LOG_KEEP = 200;
export const HISTORY_SECONDS = 60;

export function initialView(init: {
  title: string;
  mode: 'watch' | 'play';
  durationMs?: number;
  services?: ServiceView[];
  steps?: StepView[];
  names?: Record<string, string>;
}): ViewState {
  return {
    title: init.title,
    mode: init.mode,
    phase: 'sandbox',
    nowMs: 0,
    durationMs: init.durationMs,
    services: init.services ?? [],
    clients: [],
    steps: init.steps ?? [],
    log: [],
    nextLogId: 1,
    names: init.names ?? {},
    selectedClient: 0,
    selectedService: 0,
    help: false,
    trafficPaused: false,
  };
}
