// Traffic clients on a swarm: one agent container per client (the lab/agent image, the same driver
// as on one engine), on the manager and in the overlay, where the backends are. Each is told its
// client as it starts; the lab writes commands to its stdin and reads its events from its stdout,
// both through the Docker API (attach): no listener. Events come stamped on the set's clock.
import { PassThrough, type Duplex } from 'node:stream';
import { createInterface } from 'node:readline';
import type Docker from 'dockerode';
import type { AgentCommand as Command, AgentLine as Line, AgentSpec as Spec } from '../wire/index.js';
import { HELPER_HOST_CONFIG, HELPER_USER, LABEL } from '../sandbox/index.js';
import type { ClientSetOptions, ClientSummary, ServiceConfigJson, TrafficClients, TrafficClientSpec, TrafficOnTheWire } from '../traffic/index.js';
import { log } from '../util/log.js';

type AgentCommand = Command<TrafficOnTheWire>;
type AgentLine = Line<TrafficOnTheWire>;
type AgentSpec = Spec<TrafficOnTheWire>;

export interface AgentPlan {
  project: string;
  network: string;
  image: () => Promise<string>;
}

export const agentName = (project: string, client: string) => `${project}-agent-${client.replace(/[^A-Za-z0-9_.-]/g, '-')}`;

class Agent {
  /** The start command went out (once, whoever asks first). */
  started = false;
  /** Its whole run, as it said when it stopped. */
  summary?: ClientSummary;
  private stream?: Duplex;
  private container?: Docker.Container;
  private ready?: Promise<void>;
  private stopped?: Promise<void>;
  private onStopped?: () => void;

  constructor(
    readonly spec: TrafficClientSpec,
    private readonly docker: Docker,
    private readonly plan: AgentPlan,
    private readonly opts: ClientSetOptions,
  ) {}

  /** Creates, attaches and starts the container; resolves when the agent says it is ready. */
  prepare(): Promise<void> {
    return (this.ready ??= this.boot());
  }

  private async boot(): Promise<void> {
    const name = agentName(this.plan.project, this.spec.name);
    await this.docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
    const agent: AgentSpec = { client: this.spec, channelOptions: this.opts.channelOptions, bucketMs: this.opts.bucketMs ?? 250 };
    log('swarm', `create ${name}`);
    this.container = await this.docker.createContainer({
      name,
      Image: await this.plan.image(),
      Cmd: ['client'],
      Env: [`LAB_AGENT=${JSON.stringify(agent)}`, 'GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true'],
      Labels: { [LABEL.project]: this.plan.project, [LABEL.role]: 'agent', [LABEL.instance]: `agent-${this.spec.name}` },
      User: HELPER_USER,
      OpenStdin: true,
      StdinOnce: false,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { NetworkMode: this.plan.network, ...HELPER_HOST_CONFIG },
    });
    const stream = (await this.container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
    this.stream = stream;
    const out = new PassThrough();
    const err = new PassThrough();
    this.docker.modem.demuxStream(stream, out, err);
    createInterface({ input: err }).on('line', (l) => log('swarm', `${name}: ${l}`));
    const readyNow = new Promise<void>((resolve, reject) => {
      createInterface({ input: out }).on('line', (text) => {
        let line: AgentLine;
        try {
          line = JSON.parse(text) as AgentLine;
        } catch {
          return log('swarm', `${name}: ${text}`);
        }
        if (line.agent === 'ready') resolve();
        else if (line.agent === 'event') this.opts.onEvent(line.event);
        else if (line.agent === 'summary') this.summary = line.summary;
        else if (line.agent === 'stopped') this.onStopped?.();
        else if (line.agent === 'error') {
          log('swarm', `${name}: ${line.message}`);
          reject(new Error(`agent ${this.spec.name}: ${line.message}`));
        }
      });
      stream.on('end', () => {
        this.onStopped?.();
        reject(new Error(`agent ${this.spec.name} ended before it was ready`));
      });
    });
    await this.container.start();
    await readyNow;
  }

  send(c: AgentCommand): void {
    this.stream?.write(`${JSON.stringify(c)}\n`);
  }

  /** Stops traffic; resolves once its last buckets are in (or after grace + 5 s), then removes the container. */
  stop(graceMs: number): Promise<void> {
    return (this.stopped ??= (async () => {
      if (this.ready) await this.ready.catch(() => undefined);
      const done = new Promise<void>((resolve) => {
        this.onStopped = resolve;
        setTimeout(resolve, graceMs + 5000).unref();
      });
      this.send({ cmd: 'stop', graceMs });
      await done;
      this.stream?.destroy();
      await this.container?.remove({ force: true }).catch(() => undefined);
    })());
  }
}

/** An agent that cannot start is reported by prepare(); later, it is logged (its client shows no traffic). */
const failed = (a: Agent) => (err: Error) => log('swarm', `agent ${a.spec.name} did not start`, { error: err.message });

export class AgentClientSet implements TrafficClients {
  private agents: Agent[] = [];
  private running = false;

  constructor(
    private readonly docker: Docker,
    private readonly plan: AgentPlan,
    private readonly opts: ClientSetOptions,
  ) {}

  get specs(): TrafficClientSpec[] {
    return this.agents.map((a) => a.spec);
  }

  get isRunning(): boolean {
    return this.running;
  }

  add(spec: TrafficClientSpec): void {
    const a = new Agent(spec, this.docker, this.plan, this.opts);
    this.agents.push(a);
    // Made at once, so that prepare() (before the clock starts) finds it on its way.
    void a.prepare().then(() => this.running && this.startOne(a), failed(a));
  }

  /** Every agent up and ready before the set's clock starts. */
  async prepare(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.prepare()));
  }

  start(): void {
    this.running = true;
    for (const a of this.agents) void a.prepare().then(() => this.startOne(a), failed(a));
  }

  private startOne(a: Agent): void {
    if (a.started) return;
    a.started = true;
    // The set's zero on the machine's clock: agents on the manager read the same clock.
    a.send({ cmd: 'start', t0: Date.now() - this.opts.now() });
  }

  setServiceConfig(name: string, serviceConfig: ServiceConfigJson): ServiceConfigJson {
    const a = this.agents.find((x) => x.spec.name === name);
    if (!a) throw new Error(`no client named ${name}`);
    const old = a.spec.serviceConfig;
    a.spec.serviceConfig = serviceConfig;
    a.send({ cmd: 'set-service-config', serviceConfig });
    return old;
  }

  async pause(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const a of this.agents) a.send({ cmd: 'pause' });
  }

  resume(): void {
    if (this.running) return;
    this.running = true;
    for (const a of this.agents) a.send({ cmd: 'resume' });
  }

  async stop(graceMs = 1000): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.agents.map((a) => a.stop(graceMs)));
  }

  summary(name: string): ClientSummary | undefined {
    return this.agents.find((a) => a.spec.name === name)?.summary;
  }
}
