// Where a run is put together, once: from a topology file, the overrides that shape the run (a
// scenario's sandbox:, lab up's flags, what runs now) and the engine the topology names, it holds
// the topology, the runtime that runs it, reach() for the addresses the lab dials, the clock, the
// traffic client factory (in this process, or a swarm's agents inside its overlay), the xDS watcher
// and the undo session. lab play, lab watch, bare lab, lab traffic, the player and the view receive
// one and derive none of these parts again; the topology file is read once, each shape parsed once.
import type { ChannelOptions } from '@grpc/grpc-js';
import { engineFor, localEngine, type Engine } from '../engine/index.js';
import type { ContainerRuntime } from '../sandbox/index.js';
import { sandboxSession, type SandboxSession } from '../scenario/index.js';
import { topologySource, type TopologyOverrides, type Topology } from '../topology/index.js';
import { sandboxResolverOptions, type ClientSetOptions, type TrafficClients } from '../traffic/index.js';
import { XdsWatcher, type XdsEvent } from '../xds/index.js';
import { RunClock } from './clock.js';

export interface OpenRunOptions {
  topologyFile: string;
  /** The run's shape over the file's (a scenario's sandbox:, --echo, --xds). */
  overrides?: TopologyOverrides;
  /** An engine already made (tests, a bench); by default the one the topology names. */
  engine?: Engine;
  /** Or a runtime already made, as one engine. */
  rt?: ContainerRuntime;
}

/** What every shape of one run shares: the file (read on first need, once), its parsed shapes, the runtime. */
interface Source {
  topologyFile: string;
  parse?: (o?: TopologyOverrides) => Topology;
  shapes: Map<string, Topology>;
  engine?: Engine;
}

export class RunContext {
  /** The run's clock: 0 when its traffic starts; the clients, steps and view read it. */
  readonly clock = new RunClock();
  /** What the run made, for what shows it live (the view's keys act through them); set as they start. */
  session?: SandboxSession;
  clients?: TrafficClients;

  private constructor(
    private readonly source: Source,
    readonly overrides: TopologyOverrides,
  ) {}

  /** A run of this file; nothing is read until a part is asked for (a bad scenario is named before a bad topology, as before). */
  static open(opts: OpenRunOptions): RunContext {
    return new RunContext(
      { topologyFile: opts.topologyFile, shapes: new Map(), engine: opts.engine ?? (opts.rt && localEngine(opts.rt)) },
      opts.overrides ?? {},
    );
  }

  get topologyFile(): string {
    return this.source.topologyFile;
  }

  /** The topology in the run's shape. */
  get topology(): Topology {
    return this.shape(this.overrides);
  }

  /** The engine the topology names (made once, shared by every shape of the run). */
  get engine(): Engine {
    return (this.source.engine ??= engineFor(this.topology));
  }

  /** The engine's container runtime. */
  get rt(): ContainerRuntime {
    return this.engine.runtime;
  }

  /** The file's topology in another shape (the file read once, each shape parsed once). */
  shape = (overrides: TopologyOverrides = {}): Topology => {
    const key = JSON.stringify(overrides);
    let t = this.source.shapes.get(key);
    if (!t) {
      this.source.parse ??= topologySource(this.source.topologyFile);
      this.source.shapes.set(key, (t = this.source.parse(overrides)));
    }
    return t;
  };

  /** A run of the same file on the same runtime, in another shape, with a clock and parts of its own. */
  withShape(overrides: TopologyOverrides): RunContext {
    return new RunContext(this.source, overrides);
  }

  /** The address this process dials for a published one (a swarm's gateway, or the address itself). */
  reach = (address: string): string => this.engine.reach(address);

  /** The run's traffic clients, on the run's clock, in this process or where the sandbox runs them. */
  newClients(opts: { onEvent: ClientSetOptions['onEvent']; bucketMs?: number; channelOptions?: ChannelOptions }): TrafficClients {
    const o: ClientSetOptions = {
      channelOptions: opts.channelOptions ?? sandboxResolverOptions(this.topology),
      bucketMs: opts.bucketMs,
      now: this.clock.now,
      onEvent: opts.onEvent,
    };
    this.clients = this.engine.clients(o);
    return this.clients;
  }

  /** What the control plane knows of the run's xds: clients (ACKs, NACKs, load reports), when the sandbox runs one. */
  xdsWatcher(onEvent: (e: XdsEvent) => void): XdsWatcher | undefined {
    return this.topology.xds ? new XdsWatcher(this.reach(this.topology.xds.hostAddress), this.clock.now, onEvent) : undefined;
  }

  /** The run's undo session: the context its actions and the view's keys run in. */
  openSession(signal?: AbortSignal): SandboxSession {
    this.session = sandboxSession({ run: this, signal });
    return this.session;
  }
}
