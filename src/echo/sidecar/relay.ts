// The sidecar's relay: host clients' calls to the server beside it, at the frame level (src/h2, the
// router's machinery), so that the sidecar sees each call without decoding a message:
//   - it counts what it served per `x-lab-client` and status (the echo's ServedLedger), so `run:`
//     clients and `lab watch --observe` work with a server of yours;
//   - it delays or aborts a share of a method's calls (CallFaults, as the router does).
// Each caller connection is paired with a connection of its own to the server, dialled when the
// caller connects: a server that refuses (killed, stopped) is refused to the caller at once (a
// reset, as its own port would), a GOAWAY of the server's (max_connection_age, its own drain) goes
// on to the caller, a server connection that ends ends the caller's, and PINGs go through both ways
// (a caller's keepalive meets a frozen server; the server's keepalive enforcement meets the caller).
// Calls wait for a stream at the server's own stream limit; a call the server's connection can no
// longer take (it is going away) is refused with REFUSED_STREAM, which the caller's gRPC library
// retries on its next connection, and is not counted. SETTINGS are the relay's own on each side.
import net from 'node:net';
import { status } from '@grpc/grpc-js';
import { CallFaults, H2Connection, headerValue, RelayedCall, type ConnectionSettings, type Header } from '../../h2/index.js';
import { CLIENT_HEADER } from '../../wire/index.js';
import { OTHERS, ServedLedger } from '../served.js';

/** Each stream's window 1 MiB, the connection's 16 MiB, as the router's. */
const SETTINGS: ConnectionSettings = { maxConcurrentStreams: 10_000, initialWindowSize: 1 << 20, connectionWindowSize: 16 << 20 };

interface Pair {
  caller: H2Connection;
  backend: H2Connection;
  /** Calls waiting for a stream at the server's limit (its SETTINGS_MAX_CONCURRENT_STREAMS), in order. */
  waiting: Set<() => void>;
}

export class SidecarRelay {
  readonly faults: CallFaults;
  readonly served = new ServedLedger();
  /** Calls taken since the start (or the last reset). */
  calls = 0;
  /** Drained: a new caller connection is refused (a reset), as a server that drains takes none. */
  draining = false;
  private server?: net.Server;
  private readonly pairs = new Set<Pair>();
  /** Callers whose connection to the server is still being made. */
  private readonly connecting = new Set<net.Socket>();
  private closed = false;
  private readonly address: string;

  constructor(
    private readonly to: { host: string; port: number },
    /** Who relays, in its own answers' messages: "greeter-2's sidecar". */
    private readonly by: string,
  ) {
    this.faults = new CallFaults([], Math.random, by);
    this.address = `${to.host}:${to.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  listen(host: string, port: number): Promise<number> {
    const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  /** Sends every caller a GOAWAY (its calls in flight finish), as a server that drains does. */
  goaway(): void {
    for (const p of this.pairs) p.caller.close();
  }

  close(): void {
    this.closed = true;
    this.server?.close();
    for (const socket of this.connecting) socket.destroy();
    for (const p of [...this.pairs]) {
      p.caller.destroy();
      p.backend.destroy();
    }
  }

  private accept(socket: net.Socket): void {
    if (this.draining || this.closed) return void socket.resetAndDestroy();
    const up = net.connect({ host: this.to.host, port: this.to.port, noDelay: true });
    this.connecting.add(socket).add(up);
    const settled = () => {
      this.connecting.delete(socket);
      this.connecting.delete(up);
    };
    up.once('close', settled);
    // Until both sides are up, an error on one is a reset of the other (no HTTP/2 yet).
    const refused = () => socket.resetAndDestroy();
    const callerGone = () => up.destroy();
    up.once('error', refused);
    socket.once('error', callerGone);
    socket.once('close', callerGone);
    up.once('connect', () => {
      settled();
      up.off('error', refused);
      if (socket.destroyed || this.closed) return void up.destroy();
      socket.off('error', callerGone);
      socket.off('close', callerGone);
      this.pair(socket, up);
    });
  }

  private pair(socket: net.Socket, up: net.Socket): void {
    // eslint-disable-next-line prefer-const -- the backend's events name the caller made after it
    let caller: H2Connection;
    const pair = { waiting: new Set() } as unknown as Pair;
    /** The calls waiting for a stream go on (one was freed) or are refused (the server's connection is going). */
    const wake = () => {
      for (const next of [...pair.waiting]) {
        if (pair.backend.canOpen === false && !this.going(pair.backend)) return;
        pair.waiting.delete(next);
        next();
      }
    };
    const backend = new H2Connection(
      up,
      'client',
      {
        // The server's GOAWAY (its max_connection_age, its drain) goes on: the caller's calls in flight
        // finish, and those not yet on the server are refused, which the caller retries on its next connection.
        goaway: () => {
          caller.close();
          wake();
        },
        slot: wake,
        // PINGs go through, both ways: a caller's keepalive meets a frozen server as it would without
        // the sidecar, and the server's own keepalive (and its enforcement) meets the caller.
        ping: (payload) => caller.ping(payload),
        pong: (payload) => caller.pong(payload),
        // The server's connection ended (killed, reset): the caller's ends too, after a GOAWAY for what is still open.
        close: () => {
          caller.close();
          wake();
          setTimeout(() => caller.destroy(), 1000).unref();
        },
      },
      SETTINGS,
    );
    caller = new H2Connection(
      socket,
      'server',
      {
        stream: (id, headers, end) => this.call(pair, id, headers, end),
        ping: (payload) => backend.ping(payload),
        pong: (payload) => backend.pong(payload),
        close: () => {
          this.pairs.delete(pair);
          backend.destroy();
        },
      },
      SETTINGS,
    );
    pair.caller = caller;
    pair.backend = backend;
    this.pairs.add(pair);
  }

  /** The server's connection takes no new stream, for good (going away, or gone). */
  private going(backend: H2Connection): boolean {
    return backend.closed || backend.goingAway || backend.closing;
  }

  private call(pair: Pair, id: number, headers: Header[], end: boolean): void {
    const { caller, backend } = pair;
    const call = new RelayedCall(caller, id, headers, end, this.by);
    caller.attach(id, call);
    this.calls++;
    const path = headerValue(headers, ':path') ?? '';
    const client = headerValue(headers, CLIENT_HEADER) || OTHERS;
    const served = (code: number) => this.served.record(client, code, call.started);
    const fault = this.faults.decide(path);
    const left = () => {
      if (call.done) return;
      call.done = true;
      served(status.CANCELLED);
    };
    const send = () => {
      call.onGone = undefined;
      if (call.gone) return left();
      // Not taken by the server (its connection is going away): refused, and retried by the caller, not counted.
      if (this.going(backend)) return call.refuse();
      if (!backend.canOpen) {
        // At the server's stream limit: wait for a stream to end, as a client's channel would.
        pair.waiting.add(send);
        call.onGone = () => {
          pair.waiting.delete(send);
          left();
        };
        return;
      }
      call.deductWait();
      call.forward(backend, this.address, (code, _identity, refused) => {
        if (!refused) served(code);
      });
    };
    const go = () => {
      call.onGone = undefined;
      if (call.gone) return left();
      if (fault.abort) {
        this.faults.aborted(path);
        call.done = true;
        call.answer(fault.abort.code, fault.abort.message);
        return served(fault.abort.code);
      }
      send();
    };
    if (fault.delayMs <= 0) return go();
    const timer = setTimeout(go, fault.delayMs);
    call.onGone = () => {
      clearTimeout(timer);
      left();
    };
  }
}
