// lab.control.v1.Control on an echo server: the fault knobs, health, registrations, weight, drain
// and counters. Every call answers with the server's Stats.
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { EchoState } from './echo-state.js';
// Types only (erased from the bundle): the echo imports no code from the rest of the lab.
import type { ControlHandlers } from '../grpc/generated/lab/control/v1/Control.js';
import type { ConsulRegistrationRequest__Output } from '../grpc/generated/lab/control/v1/ConsulRegistrationRequest.js';
import type { DrainRequest__Output } from '../grpc/generated/lab/control/v1/DrainRequest.js';
import type { SetFaultRequest__Output } from '../grpc/generated/lab/control/v1/SetFaultRequest.js';
import type { SetHealthRequest__Output } from '../grpc/generated/lab/control/v1/SetHealthRequest.js';
import type { SetLinkFaultRequest__Output } from '../grpc/generated/lab/control/v1/SetLinkFaultRequest.js';
import type { SetWeightRequest__Output } from '../grpc/generated/lab/control/v1/SetWeightRequest.js';
import type { Stats } from '../grpc/generated/lab/control/v1/Stats.js';
import type { ServedReport } from '../grpc/generated/lab/control/v1/ServedReport.js';

export function controlService(echo: EchoState, drain: (graceMs: number) => void): ControlHandlers {
  const unary =
    <Req>(fn: (req: Req) => void | Promise<void>) =>
    async (call: ServerUnaryCall<Req, Stats>, cb: sendUnaryData<Stats>) => {
      try {
        await fn(call.request);
        cb(null, await echo.stats());
      } catch (err) {
        cb({ code: status.INTERNAL, details: (err as Error).message });
      }
    };
  return {
    SetFault: unary<SetFaultRequest__Output>((req) => echo.faults.set(req.fault ?? {})),
    SetLinkFault: unary<SetLinkFaultRequest__Output>((req) => {
      if (!echo.link) throw new Error('this echo server runs without a link proxy (LAB_LINK_PORT is not set)');
      echo.link.set(req.fault ?? undefined);
    }),
    SetCallFaults: (_call: ServerUnaryCall<unknown, Stats>, cb: sendUnaryData<Stats>) =>
      cb({
        code: status.UNIMPLEMENTED,
        details: "call faults per method are a sidecar's (beside a server of yours); an echo server has its own knobs (SetFault)",
      }),
    SetHealth: unary<SetHealthRequest__Output>((req) => echo.setServing(req.serving)),
    SetWeight: unary<SetWeightRequest__Output>(async (req) => {
      echo.registration.weight = req.weight;
      // Registrations carry the weight: put the etcd value again, register with Consul again.
      await Promise.all([echo.etcd?.refresh(), echo.consul?.registered ? echo.consul.start() : undefined]);
    }),
    SetConsulRegistration: unary<ConsulRegistrationRequest__Output>(async (req) => {
      if (!echo.consul) throw new Error('this echo server has no Consul agent configured');
      await (req.registered ? echo.consul.start() : echo.consul.stop());
    }),
    GetStats: unary(() => undefined),
    GetServed: (_call: ServerUnaryCall<unknown, ServedReport>, cb: sendUnaryData<ServedReport>) => cb(null, echo.served.report(echo.cfg.id)),
    ResetStats: unary(() => {
      echo.counters.calls = 0;
      echo.counters.injectedFailures = 0;
    }),
    // Answer first, then drain: GOAWAY, deregister, exit.
    Drain: unary<DrainRequest__Output>((req) => void setTimeout(() => drain(req.graceMs || 1000), 10)),
  };
}
