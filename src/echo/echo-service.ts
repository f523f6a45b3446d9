// grpc.examples.echo.Echo: all four methods, each reply carrying this backend's identity
// (in the message as "<id>: <message>" and in the `x-lab-backend` header), with faults applied.
import {
  Metadata,
  status,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { BACKEND_HEADER } from '../wire/index.js';
import type { FaultState } from './faults.js';
import { ServedLedger } from './served.js';

interface EchoMessage {
  message: string;
}

export interface EchoCounters {
  calls: number;
  injectedFailures: number;
}

const sleep = (ms: number) => new Promise<void>((r) => (ms > 0 ? setTimeout(r, ms) : r()));

type AnyCall = { metadata: Metadata; cancelled: boolean };

export function echoService(id: string, faults: FaultState, counters: EchoCounters, served: ServedLedger): UntypedServiceImplementation {
  /** Starts a call's accounting; the returned function records how it ended (a cancelled call as CANCELLED). */
  const account = (call: AnyCall) => {
    const client = ServedLedger.identity(call.metadata);
    const t0 = performance.now();
    let done = false;
    return (code: number) => {
      if (done) return;
      done = true;
      served.record(client, call.cancelled ? status.CANCELLED : code, t0);
    };
  };
  const header = () => {
    const md = new Metadata();
    md.set(BACKEND_HEADER, id);
    return md;
  };
  const reply = (message: string): EchoMessage => ({ message: `${id}: ${message}` });

  /** Applies CPU cost, latency and injected failures; returns an error when this call must fail. */
  async function admit(): Promise<{ code: number; details: string; metadata: Metadata } | undefined> {
    counters.calls++;
    faults.burn();
    await sleep(faults.delayMs());
    const code = faults.failure();
    if (code === undefined) return undefined;
    counters.injectedFailures++;
    return { code, details: `${id}: injected failure`, metadata: header() };
  }

  /** A call with one reply (unary, client streaming): admitted, then failed or answered. */
  async function answer(
    call: ServerUnaryCall<EchoMessage, EchoMessage> | ServerReadableStream<EchoMessage, EchoMessage>,
    callback: sendUnaryData<EchoMessage>,
    ended: (code: number) => void,
    message: string,
  ): Promise<void> {
    const err = await admit();
    if (err) {
      ended(err.code);
      return callback(err);
    }
    call.sendMetadata(header());
    ended(status.OK);
    callback(null, reply(message));
  }

  return {
    UnaryEcho(call: ServerUnaryCall<EchoMessage, EchoMessage>, callback: sendUnaryData<EchoMessage>) {
      return answer(call, callback, account(call), call.request.message);
    },

    async ServerStreamingEcho(call: ServerWritableStream<EchoMessage, EchoMessage>) {
      const ended = account(call);
      const err = await admit();
      if (err) {
        ended(err.code);
        return void call.emit('error', Object.assign(new Error(err.details), err));
      }
      call.sendMetadata(header());
      // Like grpc-go's example server: a handful of replies per request.
      for (let i = 0; i < 5 && !call.cancelled; i++) call.write(reply(call.request.message));
      ended(status.OK);
      call.end();
    },

    ClientStreamingEcho(call: ServerReadableStream<EchoMessage, EchoMessage>, callback: sendUnaryData<EchoMessage>) {
      const ended = account(call);
      let last = '';
      call.on('data', (m: EchoMessage) => (last = m.message));
      call.on('error', () => undefined);
      call.on('cancelled', () => ended(status.CANCELLED));
      call.on('end', () => void answer(call, callback, ended, last));
    },

    async BidirectionalStreamingEcho(call: ServerDuplexStream<EchoMessage, EchoMessage>) {
      const ended = account(call);
      const err = await admit();
      if (err) {
        ended(err.code);
        call.emit('error', Object.assign(new Error(err.details), err));
        return;
      }
      call.sendMetadata(header());
      call.on('data', (m: EchoMessage) => call.write(reply(m.message)));
      call.on('error', () => undefined);
      call.on('cancelled', () => ended(status.CANCELLED));
      call.on('end', () => {
        ended(status.OK);
        call.end();
      });
    },
  };
}
