// The sidecar of a server the lab did not write (seed 003): it owns the instance's network namespace
// (the server's container joins it), and
//   - passes host clients through its link proxy (link faults, as an echo's link proxy does) and its
//     relay (relay.ts: per-method call faults, and what it served per client) to the server;
//     clients in the lab network dial the server's own port (the cluster address);
//   - watches the server with a bounded probe, every interval (monitor.ts);
//   - registers the instance in etcd under a lease it renews only after a probe the server answered,
//     so a frozen server's key lapses within the TTL; and in Consul, whose gRPC check asks the
//     sidecar's own health service: it says what the last probe found (a frozen server still
//     completes a TCP connect, and a probe has a bound), unless it was set NOT_SERVING;
//   - serves lab.control.v1.Control beside its health service (control.ts).
import path from 'node:path';
import { loadPackageDefinition, Server, ServerCredentials } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import { LinkProxy } from '../link/link-proxy.js';
import { ConsulRegistrar } from '../register-consul.js';
import { LOADER } from '../loader-options.js';
import { EtcdRegistrar, registrationOf } from '../register-etcd.js';
import type { SidecarConfig } from './config.js';
import { sidecarControl, type SidecarParts } from './control.js';
import { Monitor } from './monitor.js';
import { probeFor } from './probe.js';
import { SidecarRelay } from './relay.js';
// Types only (erased from the bundle).
import type { ProtoGrpcType as ControlProto } from '../../grpc/generated/control.js';

export interface Sidecar {
  readonly monitor: Monitor;
  readonly link: LinkProxy;
  readonly relay: SidecarRelay;
  /** Where the link proxy listens, and the sidecar's health service (the ports bound, when 0 was asked). */
  readonly port: number;
  readonly controlPort: number;
  readonly etcd?: EtcdRegistrar;
  readonly consul?: ConsulRegistrar;
  /** Deregisters, then closes the proxy and the health service. */
  stop(): Promise<void>;
}

export async function startSidecar(cfg: SidecarConfig, log: (msg: string) => void): Promise<Sidecar> {
  const registration = registrationOf(cfg, { sidecar: cfg.health });
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  const control = new Server();
  health.addToServer(control);
  const controlPort = await new Promise<number>((resolve, reject) =>
    control.bindAsync(`${cfg.bind}:${cfg.controlPort}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  // Host clients -> the link proxy (the published port) -> the relay (loopback, any port) -> the server.
  const relay = new SidecarRelay({ host: '127.0.0.1', port: cfg.serverPort }, `${cfg.id}'s sidecar`);
  const relayPort = await relay.listen('127.0.0.1', 0);
  const link = new LinkProxy({ host: '127.0.0.1', port: relayPort });
  const port = await link.listen(cfg.bind, cfg.port);

  const server = `127.0.0.1:${cfg.serverPort}`;
  const controlAddress = `${cfg.clusterAddress.replace(/:\d+$/, '')}:${controlPort}`;
  // The gate reads the monitor made below (called only once it runs). A drained server stays out
  // until it has gone and answers again (the lab stops it after the drain; `start` brings it back).
  let drained: { sawItGo: boolean } | undefined;
  const answers = (): boolean => monitor.healthy && !drained;
  const etcd = cfg.etcd && new EtcdRegistrar(cfg.etcd.endpoints, cfg.etcd.prefix, cfg.etcd.leaseTtlSeconds, registration, log, { gate: answers });
  const consul = cfg.consul && new ConsulRegistrar(cfg.consul.url, registration, cfg.consul.checkInterval, cfg.consul.deregisterAfter, log, controlAddress);
  let consulStarted = false;
  const probe = probeFor(cfg.health, server);
  const monitor: Monitor = new Monitor(
    probe,
    { intervalMs: cfg.probeIntervalMs, boundMs: cfg.probeBoundMs },
    {
      changed(ok, r) {
        log(`${ok ? 'the server answers' : 'the server does not answer'} (${r.detail}, ${r.ms.toFixed(0)} ms)`);
        if (drained && !ok) drained.sawItGo = true;
        if (drained?.sawItGo && ok) {
          drained = undefined;
          relay.draining = false;
          log('the drained server answers again: registering it again');
          if (consul) consulStarted = false;
        }
        showHealth();
        // Consul lists the instance from its first answer on; its own check decides passing or critical after that.
        if (ok && consul && !consulStarted) {
          consulStarted = true;
          void consul.start();
        }
      },
      probed(r) {
        if (r.ok) void etcd?.renew();
      },
    },
  );
  // What the sidecar's health service says (Consul's check asks it): the last probe, unless set NOT_SERVING.
  let held = false;
  const serving = () => monitor.healthy && !held && !drained;
  const showHealth = () => health.setStatus('', serving() ? 'SERVING' : 'NOT_SERVING');
  const parts: SidecarParts = {
    id: cfg.id,
    hostAddress: cfg.hostAddress,
    clusterAddress: cfg.clusterAddress,
    registration,
    link,
    relay,
    etcd,
    consul,
    serving,
    setServing(on) {
      held = !on;
      // SERVING also lets a drained server back in: the lab says so when it starts the server again
      // (a restart between two probes would otherwise go unseen, and the drain hold forever).
      if (on && drained) {
        drained = undefined;
        relay.draining = false;
        log('the drained server was started again: registering it once it answers');
        if (consul) consulStarted = false;
      }
      log(on ? 'health: as the probe finds it' : 'health: held at NOT_SERVING');
      showHealth();
      if (on && monitor.healthy && consul && !consulStarted) {
        consulStarted = true;
        void consul.start();
      }
    },
    async drain() {
      drained = { sawItGo: !monitor.healthy };
      log('drain: NOT_SERVING, deregistering, GOAWAY to every caller');
      showHealth();
      relay.draining = true;
      await Promise.race([Promise.all([etcd?.withdraw(), consul?.stop()]), new Promise((r) => setTimeout(r, 1000).unref())]);
      relay.goaway();
    },
    startedAt: Date.now(),
  };
  // The one cast: loadPackageDefinition is untyped; the generated ProtoGrpcType describes it.
  const pkg = loadPackageDefinition(loadSync(path.join(cfg.protoDir, 'control.proto'), LOADER)) as unknown as ControlProto;
  control.addService(pkg.lab.control.v1.Control.service, sidecarControl(parts));
  monitor.start();
  log(`sidecar of ${cfg.id}: ${cfg.bind}:${port} -> relay 127.0.0.1:${relayPort} -> ${server}; probing with ${probe.what} every ${cfg.probeIntervalMs} ms`);

  return {
    monitor,
    link,
    relay,
    port,
    controlPort,
    etcd,
    consul,
    async stop() {
      await monitor.stop();
      await Promise.all([etcd?.stop(), consul?.stop()]);
      link.close();
      relay.close();
      await new Promise<void>((resolve) => control.tryShutdown(() => resolve()));
    },
  };
}
