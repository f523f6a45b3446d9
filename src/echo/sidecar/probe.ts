// How the sidecar asks whether the server beside it answers (seed 003's embedded monitor: a hung
// process, not only a dead one). Each probe is bounded: an answer that takes longer than the bound
// counts as none, so a frozen server (SIGSTOP, a deadlock) fails it as surely as a dead one.
//   grpc: grpc.health.v1.Health/Check for the "" service must say SERVING.
//   tcp:  a TCP connect plus an HTTP/2 PING that must come back. A frozen process's kernel still
//         completes the connect (the listen backlog), so the connect alone would pass a hung server.
import { connect, type ClientHttp2Session } from 'node:http2';
import { healthProbe } from '../../util/health-probe.js';

export type HealthKind = 'grpc' | 'tcp';

export interface ProbeResult {
  ok: boolean;
  /** SERVING, "PING answered", or what went wrong. */
  detail: string;
  ms: number;
}

export interface Probe {
  readonly what: string;
  check(boundMs: number): Promise<ProbeResult>;
  close(): void;
}

export function probeFor(kind: HealthKind, address: string): Probe {
  return kind === 'grpc' ? grpcHealthProbe(address) : h2PingProbe(address);
}

export function grpcHealthProbe(address: string): Probe {
  const probe = healthProbe(address);
  return {
    what: `grpc.health.v1 Check at ${address}`,
    async check(boundMs) {
      const t0 = performance.now();
      const status = await probe.check(boundMs);
      return { ok: status === 'SERVING', detail: status, ms: performance.now() - t0 };
    },
    close: () => probe.close(),
  };
}

/**
 * A fresh HTTP/2 connection per probe, closed after it: a PING on a connection with no streams is a
 * keepalive strike to grpc-go and grpc-java (more than two in two hours and they send GOAWAY
 * too_many_pings), and a connection per probe is never struck twice.
 */
export function h2PingProbe(address: string): Probe {
  const open = new Set<ClientHttp2Session>();
  return {
    what: `TCP connect and HTTP/2 PING at ${address}`,
    check(boundMs) {
      const t0 = performance.now();
      return new Promise<ProbeResult>((resolve) => {
        const session = connect(`http://${address}`);
        open.add(session);
        let settled = false;
        const done = (ok: boolean, detail: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          open.delete(session);
          session.destroy();
          resolve({ ok, detail, ms: performance.now() - t0 });
        };
        const timer = setTimeout(() => done(false, `no answer to an HTTP/2 PING within ${boundMs} ms`), boundMs);
        session.on('error', (err: NodeJS.ErrnoException) => done(false, err.code ?? err.message));
        session.on('close', () => done(false, 'the connection closed before the PING was answered'));
        session.once('connect', () => {
          try {
            session.ping((err) => (err ? done(false, err.message) : done(true, 'PING answered')));
          } catch (err) {
            done(false, (err as Error).message);
          }
        });
      });
    },
    close() {
      for (const s of open) s.destroy();
      open.clear();
    },
  };
}
