// The sidecar of a server the lab did not write (seed 003): it owns the instance's network namespace
// (the server's container joins it), and
//   - passes host clients through its link proxy to the server (link faults, as an echo's link
//     proxy does); clients in the lab network dial the server's own port (the cluster address);
//   - watches the server with a bounded probe, every interval (monitor.ts);
//   - registers the instance in etcd under a lease it renews only after a probe the server answered,
//     so a frozen server's key lapses within the TTL; and in Consul, whose gRPC check dials the
//     server's own port (health: grpc) or the sidecar's own health service, which says what the
//     last probe found (health: tcp: a frozen server still completes a TCP connect).
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { LinkProxy } from '../link/link-proxy.js';
import { ConsulRegistrar } from '../register-consul.js';
import { EtcdRegistrar, registrationOf } from '../register-etcd.js';
import type { SidecarConfig } from './config.js';
import { Monitor } from './monitor.js';
import { probeFor } from './probe.js';

export interface Sidecar {
  readonly monitor: Monitor;
  readonly link: LinkProxy;
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

  const link = new LinkProxy({ host: '127.0.0.1', port: cfg.serverPort });
  const port = await link.listen(cfg.bind, cfg.port);

  const server = `127.0.0.1:${cfg.serverPort}`;
  const controlAddress = `${cfg.clusterAddress.replace(/:\d+$/, '')}:${controlPort}`;
  // The gate reads the monitor made below (called only once it runs).
  const answers = (): boolean => monitor.healthy;
  const etcd = cfg.etcd && new EtcdRegistrar(cfg.etcd.endpoints, cfg.etcd.prefix, cfg.etcd.leaseTtlSeconds, registration, log, { gate: answers });
  const consul =
    cfg.consul &&
    new ConsulRegistrar(
      cfg.consul.url,
      registration,
      cfg.consul.checkInterval,
      cfg.consul.deregisterAfter,
      log,
      cfg.health === 'grpc' ? undefined : controlAddress,
    );
  let consulStarted = false;
  const probe = probeFor(cfg.health, server);
  const monitor: Monitor = new Monitor(
    probe,
    { intervalMs: cfg.probeIntervalMs, boundMs: cfg.probeBoundMs },
    {
      changed(ok, r) {
        log(`${ok ? 'the server answers' : 'the server does not answer'} (${r.detail}, ${r.ms.toFixed(0)} ms)`);
        health.setStatus('', ok ? 'SERVING' : 'NOT_SERVING');
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
  monitor.start();
  log(`sidecar of ${cfg.id}: ${cfg.bind}:${port} -> ${server}; probing with ${probe.what} every ${cfg.probeIntervalMs} ms`);

  return {
    monitor,
    link,
    port,
    controlPort,
    etcd,
    consul,
    async stop() {
      await monitor.stop();
      await Promise.all([etcd?.stop(), consul?.stop()]);
      link.close();
      await new Promise<void>((resolve) => control.tryShutdown(() => resolve()));
    },
  };
}
