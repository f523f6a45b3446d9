// The sidecar's relay: host clients' calls to the server beside it, at the frame level (src/h2, the
// router's machinery), so that the sidecar sees each call without decoding a message:
//   - it counts what it served per `x-lab-client` and status (the echo's ServedLedger), so `run:`
//     clients and `lab watch --observe` work with a server of yours;
//   - it delays or aborts a share of a method's calls (CallFaults, as the router does).
// Each caller connection is paired with a connection of its own to the server, dialled when the
// caller connects: a server that refuses (killed, stopped) is refused to the caller at once (a
// reset, as its own port would), a GOAWAY of the server's (max_connection_age, its own drain) goes
// on to the caller, and a server connection that ends ends the caller's. PINGs and SETTINGS are the
// relay's own on each side: the server does not see the caller's keepalive PINGs.
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
}

export class SidecarRelay {
  readonly faults: CallFaults;
  readonly served = new ServedLedger();
  /** Calls taken since the start (or the last reset). */
  calls = 0;
  private server?: net.Server;
  private readonly pairs = new Set<Pair>();
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
    this.server?.close();
    for (const p of [...this.pairs]) {
      p.caller.destroy();
      p.backend.destroy();
    }
  }

  private accept(socket: net.Socket): void {
    const up = net.connect({ host: this.to.host, port: this.to.port, noDelay: true });
    // Until both sides are up, an error on one is a reset of the other (no HTTP/2 yet).
    const refused = () => socket.resetAndDestroy();
    const callerGone = () => up.destroy();
    up.once('error', refused);
    socket.once('error', callerGone);
    socket.once('close', callerGone);
    up.once('connect', () => {
      up.off('error', refused);
      if (socket.destroyed) return void up.destroy();
      socket.off('error', callerGone);
      socket.off('close', callerGone);
      this.pair(socket, up);
    });
  }

  private pair(socket: net.Socket, up: net.Socket): void {
    // eslint-disable-next-line prefer-const -- the backend's events name the caller made after it
    let caller: H2Connection;
    const pair = {} as Pair;
    const backend = new H2Connection(
      up,
      'client',
      {
        // The server's GOAWAY (its max_connection_age, its drain) goes on: the caller's calls in flight finish.
        goaway: () => caller.close(),
        // The server's connection ended (killed, reset): the caller's ends too, after a GOAWAY for what is still open.
        close: () => {
          caller.close();
          setTimeout(() => caller.destroy(), 1000).unref();
        },
      },
      SETTINGS,
    );
    caller = new H2Connection(
      socket,
      'server',
      {
        stream: (id, headers, end) => this.call(caller, backend, id, headers, end),
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

  private call(caller: H2Connection, backend: H2Connection, id: number, headers: Header[], end: boolean): void {
    const call = new RelayedCall(caller, id, headers, end, this.by);
    caller.attach(id, call);
    this.calls++;
    const path = headerValue(headers, ':path') ?? '';
    const client = headerValue(headers, CLIENT_HEADER) || OTHERS;
    const served = (code: number) => this.served.record(client, code, call.started);
    const fault = this.faults.decide(path);
    const go = () => {
      call.onGone = undefined;
      if (call.gone) return left();
      if (fault.abort) {
        this.faults.aborted(path);
        call.done = true;
        call.answer(fault.abort.code, fault.abort.message);
        return served(fault.abort.code);
      }
      call.deductWait();
      call.forward(backend, this.address, (code) => served(code));
    };
    const left = () => {
      if (call.done) return;
      call.done = true;
      served(status.CANCELLED);
    };
    if (fault.delayMs <= 0) return go();
    const timer = setTimeout(go, fault.delayMs);
    call.onGone = () => {
      clearTimeout(timer);
      left();
    };
  }
}
