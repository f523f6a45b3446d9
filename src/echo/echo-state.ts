// One echo server's state, shared by its services: identity, faults, counters, health, its
// registrations, its link proxy and load meter; and the Stats its control service answers with.
import { HealthImplementation } from 'grpc-health-check';
import type { EchoConfig } from './config.js';
import type { EchoCounters } from './echo-service.js';
import { FaultState } from './faults.js';
import { LinkProxy } from './link/link-proxy.js';
import { LoadMeter } from './load-report.js';
import { ServedLedger } from './served.js';
import { ConsulRegistrar } from './register-consul.js';
import { EtcdRegistrar, registrationOf, type Registration } from './register-etcd.js';
// Types only (erased from the bundle): the echo imports no code from the rest of the lab.
import type { Stats } from '../grpc/generated/lab/control/v1/Stats.js';

export class EchoState {
  readonly faults = new FaultState();
  readonly counters: EchoCounters = { calls: 0, injectedFailures: 0 };
  readonly served = new ServedLedger();
  readonly health = new HealthImplementation({ '': 'SERVING', [`grpc.examples.echo.Echo`]: 'SERVING' });
  readonly startedAt = Date.now();
  readonly registration: Registration;
  readonly etcd?: EtcdRegistrar;
  readonly consul?: ConsulRegistrar;
  readonly load: LoadMeter;
  readonly link?: LinkProxy;
  serving = true;

  constructor(
    readonly cfg: EchoConfig,
    log: (msg: string) => void,
  ) {
    this.registration = registrationOf(cfg);
    if (cfg.etcd) this.etcd = new EtcdRegistrar(cfg.etcd.endpoints, cfg.etcd.prefix, cfg.etcd.leaseTtlSeconds, this.registration, log);
    if (cfg.consul) this.consul = new ConsulRegistrar(cfg.consul.url, this.registration, cfg.consul.checkInterval, cfg.consul.deregisterAfter, log);
    this.load = new LoadMeter(this.counters);
    if (cfg.linkPort) this.link = new LinkProxy({ host: '127.0.0.1', port: cfg.port });
  }

  setServing(on: boolean): void {
    this.serving = on;
    const s = on ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', s);
    this.health.setStatus('grpc.examples.echo.Echo', s);
  }

  async stats(): Promise<Stats> {
    const { cfg, counters } = this;
    return {
      id: cfg.id,
      hostAddress: cfg.hostAddress,
      clusterAddress: cfg.clusterAddress,
      calls: String(counters.calls),
      injectedFailures: String(counters.injectedFailures),
      serving: this.serving,
      fault: this.faults.current,
      etcdKey: this.etcd?.key ?? '',
      etcdLease: (await this.etcd?.leaseHex()) ?? '',
      consulRegistered: this.consul?.registered ?? false,
      uptimeMs: String(Date.now() - this.startedAt),
      weight: this.registration.weight,
      link: this.link?.stats(),
    };
  }
}
