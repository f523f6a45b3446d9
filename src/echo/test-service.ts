// grpc's interop test services on the echo server, so grpc's own xDS test clients can count against
// the lab: grpc.testing.TestService (EmptyCall, UnaryCall; the streaming methods answer
// UNIMPLEMENTED, as grpc's xDS test servers do) and XdsUpdateHealthService (the echo's health). An
// interceptor gives every TestService and Echo call a `hostname` response header (the backend's
// name: what interop clients credit a call to) and honours `rpc-behavior` (rpc-behavior.ts).
import {
  ServerInterceptingCall,
  status,
  type ServerInterceptingCallInterface,
  type ServerMethodDefinition,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { EchoState } from './echo-state.js';
// Types only (erased from the bundle): the echo imports no code from the rest of the lab.
import type { Empty, Empty__Output } from '../grpc/generated/grpc/testing/Empty.js';
import type { SimpleRequest__Output } from '../grpc/generated/grpc/testing/SimpleRequest.js';
import type { SimpleResponse } from '../grpc/generated/grpc/testing/SimpleResponse.js';
import { planOf } from './rpc-behavior.js';
import { ServedLedger } from './served.js';

/** The services whose calls carry `hostname` and honour `rpc-behavior`. */
const TESTED = ['/grpc.testing.TestService/', '/grpc.examples.echo.Echo/'];
/** A UnaryCall asks for at most this much payload (a client cannot make the server allocate more). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export function testInterceptor(hostname: string) {
  return (method: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface): ServerInterceptingCall => {
    if (!TESTED.some((p) => method.path.startsWith(p))) return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, go) => {
            const attempts = metadata.get('grpc-previous-rpc-attempts')[0];
            const attempt = attempts === undefined ? 0 : Number(attempts);
            if (Number.isNaN(attempt))
              return call.sendStatus({ code: status.INVALID_ARGUMENT, details: `Invalid format for grpc-previous-rpc-attempts header: ${String(attempts)}` });
            const plan = planOf(metadata.get('rpc-behavior').map(String), hostname, attempt);
            if ('invalid' in plan) return call.sendStatus({ code: status.INVALID_ARGUMENT, details: plan.invalid });
            const act = () => {
              if (plan.then.kind === 'keep-open') return; // never answered: the client's deadline or cancel ends it
              if (plan.then.kind === 'error') return call.sendStatus({ code: plan.then.code, details: `RPC failed as directed by rpc-behavior (${hostname})` });
              go(metadata);
            };
            if (plan.sleepMs > 0) setTimeout(act, plan.sleepMs).unref();
            else act();
          },
        }),
      sendMetadata: (metadata, next) => {
        metadata.set('hostname', hostname);
        next(metadata);
      },
    });
  };
}

export function testService(echo: EchoState): UntypedServiceImplementation {
  const id = echo.cfg.id;
  /** The echo's own fault knobs apply to these calls too (latency, errors, CPU), and they are counted as served. */
  async function serve<T>(call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<T>, answer: () => T | { code: number; details: string }) {
    const client = ServedLedger.identity(call.metadata);
    const t0 = performance.now();
    echo.counters.calls++;
    echo.faults.burn();
    const delay = echo.faults.delayMs();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const injected = echo.faults.failure();
    if (injected !== undefined) {
      echo.counters.injectedFailures++;
      echo.served.record(client, injected, t0);
      return callback({ code: injected, details: `${id}: injected failure` });
    }
    const out = answer();
    if (out && typeof out === 'object' && 'code' in out && typeof (out as { code: unknown }).code === 'number') {
      const err = out as { code: number; details: string };
      echo.served.record(client, err.code, t0);
      return callback(err);
    }
    echo.served.record(client, call.cancelled ? status.CANCELLED : status.OK, t0);
    callback(null, out as T);
  }
  return {
    EmptyCall(call: ServerUnaryCall<Empty__Output, Empty>, callback: sendUnaryData<Empty>) {
      void serve(call, callback, () => ({}));
    },
    UnaryCall(call: ServerUnaryCall<SimpleRequest__Output, SimpleResponse>, callback: sendUnaryData<SimpleResponse>) {
      void serve(call, callback, () => {
        const r = call.request;
        const asked = r.response_status?.code ?? 0;
        if (asked) return { code: asked, details: r.response_status?.message ?? '' };
        const size = Math.max(0, Math.min(MAX_RESPONSE_BYTES, r.response_size));
        return { hostname: id, server_id: id, payload: { type: 'COMPRESSABLE', body: Buffer.alloc(size, 0x30) } } satisfies SimpleResponse;
      });
    },
  };
}

/** grpc.testing.XdsUpdateHealthService: SetServing / SetNotServing, as the lab's health action does it. */
export function updateHealthService(echo: EchoState): UntypedServiceImplementation {
  return {
    SetServing(_call: ServerUnaryCall<Empty__Output, Empty>, callback: sendUnaryData<Empty>) {
      echo.setServing(true);
      callback(null, {});
    },
    SetNotServing(_call: ServerUnaryCall<Empty__Output, Empty>, callback: sendUnaryData<Empty>) {
      echo.setServing(false);
      callback(null, {});
    },
  };
}
