// The link proxy: a TCP proxy in front of the echo server, in the same container (so a killed
// container refuses at once and a paused one stalls, exactly as without it). Host clients reach
// the echo through it; with no fault in force it only copies bytes. Faults: latency with jitter,
// bandwidth, blackhole, reset, slow close (see link-fault.ts).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { isIdle, normalizeLinkFault, NO_LINK_FAULT, type LinkFault } from '../../wire/index.js';
import { Pipe, type PipeCounters } from './pipe.js';

export interface LinkStats {
  fault: LinkFault;
  connections: number;
  accepted: number;
  resets: number;
  bytesUp: number;
  bytesDown: number;
  droppedBytes: number;
}

interface Conn {
  client: Socket;
  upstream: Socket;
  pipes: Pipe[];
}

export class LinkProxy {
  private fault: LinkFault = { ...NO_LINK_FAULT };
  private readonly conns = new Set<Conn>();
  private readonly up: PipeCounters = { bytes: 0, dropped: 0 };
  private readonly down: PipeCounters = { bytes: 0, dropped: 0 };
  private accepted = 0;
  private resets = 0;
  private server: Server | undefined;

  constructor(readonly upstream: { host: string; port: number }) {}

  listen(host: string, port: number): Promise<number> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => resolve((server.address() as { port: number }).port));
    });
  }

  /** Takes what protobuf hands over (uint64 as a string), normalized. */
  set(f: Parameters<typeof normalizeLinkFault>[0]): void {
    this.fault = normalizeLinkFault(f);
    if (this.fault.reset) for (const c of [...this.conns]) this.reset(c);
  }

  get current(): LinkFault {
    return { ...this.fault };
  }

  get idle(): boolean {
    return isIdle(this.fault);
  }

  stats(): LinkStats {
    return {
      fault: this.current,
      connections: this.conns.size,
      accepted: this.accepted,
      resets: this.resets,
      bytesUp: this.up.bytes,
      bytesDown: this.down.bytes,
      droppedBytes: this.up.dropped + this.down.dropped,
    };
  }

  /** No new connections; open ones carry on (so a draining server's GOAWAY still reaches clients). */
  stopAccepting(): void {
    this.server?.close();
  }

  /** Closes the listener and every connection. */
  close(): void {
    this.stopAccepting();
    for (const c of [...this.conns]) this.drop(c);
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.fault.reset) {
      this.resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: this.upstream.host, port: this.upstream.port, allowHalfOpen: true, noDelay: true });
    const fault = () => this.fault;
    const conn: Conn = { client, upstream, pipes: [] };
    conn.pipes.push(new Pipe(client, upstream, 'up', fault, this.up), new Pipe(upstream, client, 'down', fault, this.down));
    this.conns.add(conn);
    // An error on one side is a reset on the other: what the client would see without the proxy.
    client.on('error', () => this.reset(conn));
    upstream.on('error', () => this.reset(conn));
    // A clean close travels as FINs through the pipes (in order, after delayed bytes); the
    // connection is done when both sockets are.
    const closed = () => {
      if (client.destroyed && upstream.destroyed) this.forget(conn);
    };
    client.on('close', closed);
    upstream.on('close', closed);
  }

  private reset(c: Conn): void {
    if (!this.conns.has(c)) return;
    this.resets++;
    this.forget(c);
    if (!c.client.destroyed) c.client.resetAndDestroy();
    if (!c.upstream.destroyed) c.upstream.resetAndDestroy();
  }

  private drop(c: Conn): void {
    this.forget(c);
    c.client.destroy();
    c.upstream.destroy();
  }

  private forget(c: Conn): void {
    if (!this.conns.delete(c)) return;
    for (const p of c.pipes) p.clear();
  }
}
