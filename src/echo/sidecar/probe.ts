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

/** One HTTP/2 connection kept between probes; a probe that gets no PING back drops it, so the next one connects afresh. */
export function h2PingProbe(address: string): Probe {
  let session: ClientHttp2Session | undefined;
  const drop = () => {
    session?.destroy();
    session = undefined;
  };
  return {
    what: `TCP connect and HTTP/2 PING at ${address}`,
    check(boundMs) {
      const t0 = performance.now();
      return new Promise<ProbeResult>((resolve) => {
        let settled = false;
        const done = (ok: boolean, detail: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (!ok) drop();
          resolve({ ok, detail, ms: performance.now() - t0 });
        };
        const timer = setTimeout(() => done(false, `no answer to an HTTP/2 PING within ${boundMs} ms`), boundMs);
        if (!session || session.destroyed || session.closed) {
          const s = connect(`http://${address}`);
          session = s;
          s.on('error', (err: NodeJS.ErrnoException) => {
            if (session === s) done(false, err.code ?? err.message);
          });
          s.on('close', () => {
            if (session === s) session = undefined;
          });
          s.unref();
        }
        const s = session;
        const ping = () => {
          try {
            s.ping((err) => (err ? done(false, err.message) : done(true, 'PING answered')));
          } catch (err) {
            done(false, (err as Error).message);
          }
        };
        if (s.connecting) s.once('connect', ping);
        else ping();
      });
    },
    close: drop,
  };
}
