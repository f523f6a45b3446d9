// A named set of traffic clients on one clock: started together, a client's service config swapped
// live (a new channel under the same name and series), paused and resumed (new channels), stopped.
// Each event carries the set's time (ms since traffic started), not its client's own.
import type { ChannelOptions } from '@grpc/grpc-js';
import type { TrafficEvent } from '../events.js';
import type { ServiceConfigJson } from './service-config.js';
import { TrafficClient, type ClientSummary, type TrafficClientSpec } from './traffic-client.js';

export interface ClientSetOptions {
  channelOptions: ChannelOptions;
  bucketMs?: number;
  now: () => number;
  onEvent: (e: TrafficEvent) => void;
}

/**
 * Traffic clients on one clock, wherever they run: in this process (ClientSet), or in agents inside
 * a sandbox's network (a swarm). Events carry the set's time; stop() resolves once the last buckets
 * of every client have been emitted.
 */
export interface TrafficClients {
  readonly specs: TrafficClientSpec[];
  readonly isRunning: boolean;
  add(spec: TrafficClientSpec): void;
  /** Whatever must exist before the clock starts (an agent's container); resolves when every client can start at once. */
  prepare(): Promise<void>;
  start(): void;
  /** Replaces a client's service config (a new channel under the same name); returns the old one. */
  setServiceConfig(name: string, serviceConfig: ServiceConfigJson): ServiceConfigJson;
  pause(): Promise<void>;
  resume(): void;
  stop(graceMs?: number): Promise<void>;
  /** A client's whole run, once stopped (undefined for a name it does not have). */
  summary(name: string): ClientSummary | undefined;
}

export class ClientSet implements TrafficClients {
  private clients: TrafficClient[] = [];
  private running = false;
  /** Channels a new service config replaced: their last buckets count, their stop is no client's stop. */
  private readonly replaced = new WeakSet<TrafficClient>();

  constructor(private readonly opts: ClientSetOptions) {}

  get specs(): TrafficClientSpec[] {
    return this.clients.map((c) => c.spec);
  }

  get isRunning(): boolean {
    return this.running;
  }

  add(spec: TrafficClientSpec): void {
    const c = this.make(spec);
    this.clients.push(c);
    if (this.running) c.start();
  }

  /** Channels open as traffic starts: nothing to prepare. */
  async prepare(): Promise<void> {}

  start(): void {
    this.running = true;
    for (const c of this.clients) c.start();
  }

  /** Replaces a client's service config; returns the old one. Before start, only the spec changes. */
  setServiceConfig(name: string, serviceConfig: ServiceConfigJson): ServiceConfigJson {
    const i = this.clients.findIndex((c) => c.spec.name === name);
    if (i < 0) throw new Error(`no client named ${name}`);
    const old = this.clients[i];
    const next = this.make({ ...old.spec, serviceConfig });
    this.clients[i] = next;
    this.replaced.add(old);
    if (this.running) {
      next.start();
      void old.stop(500);
    }
    return old.spec.serviceConfig;
  }

  /** Stops every channel; resume() opens new ones with the same specs. */
  async pause(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const old = this.clients;
    this.clients = old.map((c) => this.make(c.spec));
    await Promise.allSettled(old.map((c) => c.stop(500)));
  }

  resume(): void {
    if (!this.running) this.start();
  }

  async stop(graceMs = 1000): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.clients.map((c) => c.stop(graceMs)));
  }

  summary(name: string): ClientSummary | undefined {
    return this.clients.find((c) => c.spec.name === name)?.summary();
  }

  private make(spec: TrafficClientSpec): TrafficClient {
    const c = new TrafficClient({
      ...spec,
      bucketMs: spec.bucketMs ?? this.opts.bucketMs ?? 250,
      channelOptions: { ...spec.channelOptions, ...this.opts.channelOptions },
    });
    c.on('event', (e) => {
      if (e.type === 'client-stopped' && this.replaced.has(c)) return;
      this.opts.onEvent({ ...e, t: this.opts.now() } as TrafficEvent);
    });
    return c;
  }
}
