// lab.control.v1.Control on the sidecar of a server of yours: the knobs that act beside the server
// (its link, its calls' faults, what the sidecar's health says, its registrations and weight) and
// what the sidecar counted. The echo's own knobs (SetFault) are not there: the server is yours.
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { methodPatternProblem, type CallFault } from '../../h2/index.js';
import type { LinkProxy } from '../link/link-proxy.js';
import type { ConsulRegistrar } from '../register-consul.js';
import type { EtcdRegistrar } from '../register-etcd.js';
import type { SidecarRelay } from './relay.js';
// Types only (erased from the bundle).
import type { CallFault__Output } from '../../grpc/generated/lab/control/v1/CallFault.js';
import type { ControlHandlers } from '../../grpc/generated/lab/control/v1/Control.js';
import type { ConsulRegistrationRequest__Output } from '../../grpc/generated/lab/control/v1/ConsulRegistrationRequest.js';
import type { DrainRequest__Output } from '../../grpc/generated/lab/control/v1/DrainRequest.js';
import type { SetCallFaultsRequest__Output } from '../../grpc/generated/lab/control/v1/SetCallFaultsRequest.js';
import type { SetHealthRequest__Output } from '../../grpc/generated/lab/control/v1/SetHealthRequest.js';
import type { SetLinkFaultRequest__Output } from '../../grpc/generated/lab/control/v1/SetLinkFaultRequest.js';
import type { SetWeightRequest__Output } from '../../grpc/generated/lab/control/v1/SetWeightRequest.js';
import type { ServedReport } from '../../grpc/generated/lab/control/v1/ServedReport.js';
import type { Stats } from '../../grpc/generated/lab/control/v1/Stats.js';

export interface SidecarParts {
  id: string;
  hostAddress: string;
  clusterAddress: string;
  registration: { weight: number };
  link: LinkProxy;
  relay: SidecarRelay;
  etcd?: EtcdRegistrar;
  consul?: ConsulRegistrar;
  /** Whether the sidecar's health service says SERVING (the last probe, unless set NOT_SERVING). */
  serving(): boolean;
  /** SetHealth: NOT_SERVING is held until SERVING is set again. */
  setServing(on: boolean): void;
  /** Drain: NOT_SERVING, deregistered, a GOAWAY to every caller; registered again once the server, gone, answers again. */
  drain(): Promise<void>;
  startedAt: number;
}

/** A call fault as the proto carries it, checked (an InvalidArgument's text, or the fault). */
export function callFaultOf(f: CallFault__Output): CallFault | string {
  const wrong = methodPatternProblem(f.method);
  if (wrong) return wrong;
  const percent = (p: number, what: string) => (p >= 0 && p <= 100 ? undefined : `${what} percent ${p} is not 0 to 100`);
  const bad = percent(f.abortPercent, 'the abort') ?? percent(f.delayPercent, 'the delay');
  if (bad) return bad;
  return {
    method: f.method,
    abort: f.abortPercent > 0 ? { code: f.abortCode, percent: f.abortPercent } : undefined,
    delay: f.delayPercent > 0 && f.delayMs > 0 ? { ms: f.delayMs, percent: f.delayPercent } : undefined,
  };
}

export async function sidecarStats(p: SidecarParts): Promise<Stats> {
  return {
    id: p.id,
    hostAddress: p.hostAddress,
    clusterAddress: p.clusterAddress,
    calls: String(p.relay.calls),
    injectedFailures: String([...p.relay.faults.counts.values()].reduce((n, c) => n + c.aborted, 0)),
    serving: p.serving(),
    etcdKey: p.etcd?.key ?? '',
    etcdLease: (await p.etcd?.leaseHex()) ?? '',
    consulRegistered: p.consul?.registered ?? false,
    uptimeMs: String(Date.now() - p.startedAt),
    weight: p.registration.weight,
    link: p.link.stats(),
    callFaults: p.relay.faults.list().map((f) => ({
      method: f.method,
      abortCode: f.abort?.code ?? 0,
      abortPercent: f.abort?.percent ?? 0,
      delayMs: f.delay?.ms ?? 0,
      delayPercent: f.delay?.percent ?? 0,
    })),
  };
}

export function sidecarControl(p: SidecarParts): ControlHandlers {
  const unary =
    <Req>(fn: (req: Req) => void | Promise<void>) =>
    async (call: ServerUnaryCall<Req, Stats>, cb: sendUnaryData<Stats>) => {
      try {
        await fn(call.request);
        cb(null, await sidecarStats(p));
      } catch (err) {
        const e = err as Error & { code?: number };
        cb({ code: e.code ?? status.INTERNAL, details: e.message });
      }
    };
  const refuse = (code: number, details: string) => Object.assign(new Error(details), { code });
  return {
    SetFault: unary(() => {
      throw refuse(
        status.FAILED_PRECONDITION,
        `${p.id} is a server of yours: it has no echo knobs (latency, errors, CPU); its sidecar delays and aborts calls per method (SetCallFaults)`,
      );
    }),
    SetCallFaults: unary<SetCallFaultsRequest__Output>((req) => {
      const faults = req.faults.map(callFaultOf);
      const bad = faults.find((f): f is string => typeof f === 'string');
      if (bad) throw refuse(status.INVALID_ARGUMENT, bad);
      p.relay.faults.set(faults as CallFault[]);
    }),
    SetLinkFault: unary<SetLinkFaultRequest__Output>((req) => p.link.set(req.fault ?? undefined)),
    SetHealth: unary<SetHealthRequest__Output>((req) => p.setServing(req.serving)),
    SetWeight: unary<SetWeightRequest__Output>(async (req) => {
      p.registration.weight = req.weight;
      await Promise.all([p.etcd?.refresh(), p.consul?.registered ? p.consul.start() : undefined]);
    }),
    SetConsulRegistration: unary<ConsulRegistrationRequest__Output>(async (req) => {
      if (!p.consul) throw new Error('this sidecar has no Consul agent configured');
      await (req.registered ? p.consul.start() : p.consul.stop());
    }),
    GetStats: unary(() => undefined),
    GetServed: (_call: ServerUnaryCall<unknown, ServedReport>, cb: sendUnaryData<ServedReport>) => cb(null, p.relay.served.report(p.id)),
    ResetStats: unary(() => {
      p.relay.calls = 0;
    }),
    // The sidecar's part of a drain; the lab then stops the server (SIGTERM, then SIGKILL after a grace).
    Drain: unary<DrainRequest__Output>(() => p.drain()),
  };
}
