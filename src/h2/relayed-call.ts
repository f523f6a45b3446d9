// One call through a frame-level proxy (the router, a sidecar): a caller's stream relayed to a stream
// on a backend's connection, at the frame level (connection.ts). The request's header block goes as it came (decoded, and
// encoded again for the backend's connection: HPACK's tables are per connection); DATA is relayed
// both ways as the slices that were read, never cut into gRPC messages (compressed ones pass too);
// a side's window is given back only once its bytes went on, so a side that is not read stops the
// other; the backend's response headers and trailers (or its trailers-only answer) reach the
// caller; an RST_STREAM goes on in either direction with its code; a backend connection lost
// mid-call ends the call UNAVAILABLE.
import { status } from '@grpc/grpc-js';
import { BACKEND_HEADER } from '../wire/index.js';
import type { H2Connection, StreamHandler } from './connection.js';
import { ERROR } from './frames.js';
import type { Header } from './hpack.js';

/** What a caller's grpc-js makes of a reset stream's code (its own table). */
const RST_STATUS: Record<number, number> = {
  [ERROR.CANCEL]: status.CANCELLED,
  [ERROR.REFUSED_STREAM]: status.UNAVAILABLE,
  [ERROR.ENHANCE_YOUR_CALM]: status.RESOURCE_EXHAUSTED,
};

/** grpc-message's percent-encoding: bytes outside printable ASCII, and % itself (the gRPC spec). */
export function percentEncode(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8'))
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

const statusHeaders = (code: number, message: string): Header[] => [
  ['grpc-status', String(code)],
  ['grpc-message', percentEncode(message)],
];

/** grpc-timeout: "100m", "5S", "1H" ... (hours, minutes, seconds, milli, micro, nano) → ms. */
export function timeoutMs(value: string | undefined): number | undefined {
  const m = /^(\d{1,8})([HMSmun])$/.exec(value ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return { H: n * 3_600_000, M: n * 60_000, S: n * 1000, m: n, u: n / 1000, n: n / 1e6 }[m[2]]!;
}

/** The first value of a header, or undefined. */
export function headerValue(headers: readonly Header[], name: string): string | undefined {
  for (const h of headers) if (h[0] === name) return h[1];
  return undefined;
}

/** The gRPC status of a response's trailers (or of a trailers-only answer). */
function codeOf(headers: readonly Header[]): number {
  const v = Number(headerValue(headers, 'grpc-status'));
  return Number.isInteger(v) ? v : status.UNKNOWN;
}

interface Held {
  data: Buffer;
  end: boolean;
  flow: number;
}

/**
 * A caller's stream from its HEADERS to its end. Until a backend is picked, its DATA is held (and
 * not credited, so the caller's window bounds what waits); then relayed. `done` gets the call's
 * gRPC status once (the backend's, the router's, or CANCELLED when the caller went away), with the
 * server's name for itself when it gave one (x-lab-backend).
 */
export class RelayedCall implements StreamHandler {
  readonly started = performance.now();
  private held: Held[] = [];
  private to?: { conn: H2Connection; id: number; address: string };
  private responded = false;
  private identity?: string;
  /** The caller reset its stream or its connection went. */
  gone = false;
  /** Counted: answered by the router, relayed to its end, or left. */
  done = false;
  /** Called when the caller goes before a backend was picked (a delay, a wait for a connection). */
  onGone?: () => void;
  private onDone?: (code: number, identity?: string, refused?: boolean) => void;

  constructor(
    private readonly caller: H2Connection,
    private readonly id: number,
    readonly request: Header[],
    end: boolean,
    /** Who relays, in the messages of its own answers: "the router", "greeter-2's sidecar". */
    private readonly by = 'the router',
  ) {
    if (end) this.held.push({ data: Buffer.alloc(0), end: true, flow: 0 });
  }

  // ---- the caller's side ------------------------------------------------------------------------

  headers(_trailers: Header[], end: boolean): void {
    // A caller's trailers (gRPC callers send none): its side ends there.
    if (end) this.data(Buffer.alloc(0), true, 0);
  }

  data(payload: Buffer, end: boolean, flow: number): void {
    if (this.to) {
      const { conn, id } = this.to;
      conn.sendData(id, payload, end, this.caller, this.id, flow);
    } else if (this.done) this.caller.consume(this.id, flow);
    else this.held.push({ data: payload, end, flow });
  }

  reset(code: number): void {
    this.gone = true;
    if (this.to) {
      // The caller went away (cancelled, its deadline passed): the backend's stream is reset with its code.
      this.to.conn.reset(this.to.id, code || ERROR.CANCEL);
      this.finish(status.CANCELLED);
    } else {
      this.dropHeld();
      this.onGone?.();
    }
  }

  lost(): void {
    this.reset(ERROR.CANCEL);
  }

  /**
   * After a wait before forwarding (a delay fault, a connection coming up), the request's
   * grpc-timeout says what the caller's deadline has left. A new tuple, never the one read: the
   * decoder's dynamic table may hold that one for later calls.
   */
  deductWait(): void {
    const waited = performance.now() - this.started;
    if (waited <= 1) return;
    const i = this.request.findIndex((x) => x[0] === 'grpc-timeout');
    const timeout = i < 0 ? undefined : timeoutMs(this.request[i][1]);
    if (timeout !== undefined) this.request[i] = ['grpc-timeout', `${Math.max(1, Math.floor(timeout - waited))}m`];
  }

  // ---- the router's own answer ------------------------------------------------------------------

  /** The router's answer, in one header block (trailers-only), with nothing forwarded. */
  answer(code: number, message: string): void {
    this.dropHeld();
    if (this.gone) return;
    this.caller.sendHeaders(this.id, [[':status', '200'], ['content-type', 'application/grpc'], ...statusHeaders(code, message)], true);
    this.caller.finishWhenSent(this.id);
  }

  private dropHeld(): void {
    for (const h of this.held) this.caller.consume(this.id, h.flow);
    this.held = [];
  }

  // ---- relayed to a backend ---------------------------------------------------------------------

  /** Opens a stream on `conn` and relays the call on it; `done` gets its status once. */
  /**
   * Opens a stream on `conn` and relays the call on it; `done` gets its status once, with `refused`
   * when the backend refused the stream unprocessed: the caller's gRPC library retries such a call by
   * itself, so it is not a call that failed (its retry is counted when it ends).
   */
  forward(conn: H2Connection, address: string, done: (code: number, identity?: string, refused?: boolean) => void): void {
    this.onDone = done;
    const id = conn.openStream(new BackendSide(this));
    if (id === undefined) {
      this.answer(status.UNAVAILABLE, `${this.by} cannot open a stream to ${address}: its connection is closing`);
      this.finish(status.UNAVAILABLE);
      return;
    }
    this.to = { conn, id, address };
    const held = this.held;
    this.held = [];
    const endNow = held.length === 1 && held[0].end && held[0].data.length === 0;
    conn.sendHeaders(id, this.request, endNow);
    if (endNow) return;
    for (const h of held) conn.sendData(id, h.data, h.end, this.caller, this.id, h.flow);
  }

  private finish(code: number, refused = false): void {
    if (this.done) return;
    this.done = true;
    this.onDone?.(code, this.identity, refused);
  }

  /**
   * Refused before it reached a backend (the backend's connection is going away): REFUSED_STREAM,
   * which the caller's gRPC library retries by itself on another connection. Not a call that failed.
   */
  refuse(): void {
    if (this.done) return;
    this.done = true;
    this.dropHeld();
    if (!this.gone) this.caller.reset(this.id, ERROR.REFUSED_STREAM);
  }

  /** The call ends with the router's status after what the backend sent (or alone, when it sent nothing). */
  private endWith(code: number, message: string): void {
    if (this.gone || this.done) return;
    if (!this.responded) this.answer(code, message);
    else {
      this.caller.sendHeaders(this.id, statusHeaders(code, message), true);
      this.caller.finishWhenSent(this.id);
    }
    if (this.to) this.to.conn.reset(this.to.id, ERROR.CANCEL); // a no-op when the backend's stream has ended
    this.finish(code);
  }

  // ---- the backend's side (BackendSide calls these) --------------------------------------------

  backendHeaders(h: Header[], end: boolean): void {
    if (this.done) return;
    const caller = this.caller;
    if (!this.responded) {
      this.responded = true;
      this.identity = headerValue(h, BACKEND_HEADER);
      caller.sendHeaders(this.id, h, end);
      if (!end) return;
    } else {
      if (!end) return; // an informational block: nothing for a gRPC caller
      this.identity ??= headerValue(h, BACKEND_HEADER);
      caller.sendHeaders(this.id, h, true);
    }
    caller.finishWhenSent(this.id);
    // The response is whole: a request still streaming to the backend ends here (a no-op once both sides ended).
    this.to!.conn.reset(this.to!.id, ERROR.NO_ERROR);
    this.finish(codeOf(h));
  }

  backendData(payload: Buffer, end: boolean, flow: number): void {
    const to = this.to!;
    if (this.done || !this.responded) {
      to.conn.consume(to.id, flow);
      if (!this.responded) this.endWith(status.INTERNAL, `${to.address} sent DATA before its headers`);
      return;
    }
    this.caller.sendData(this.id, payload, false, to.conn, to.id, flow);
    if (end) this.endWith(status.INTERNAL, `${to.address} ended the response without a status`);
  }

  backendReset(code: number): void {
    if (this.done || this.gone) return;
    if (code === ERROR.REFUSED_STREAM && !this.responded) {
      // Never processed (a GOAWAY left it out, or the backend's stream limit): the caller's grpc-js retries a refused stream by itself.
      this.caller.reset(this.id, ERROR.REFUSED_STREAM);
      return this.finish(status.UNAVAILABLE, true);
    }
    if (code === ERROR.NO_ERROR) return this.endWith(status.UNAVAILABLE, `${this.to!.address} ended the stream without a status`);
    // The backend reset the stream: the caller gets the same RST_STREAM code.
    this.caller.reset(this.id, code);
    this.finish(RST_STATUS[code] ?? status.INTERNAL);
  }

  backendLost(): void {
    this.endWith(status.UNAVAILABLE, `${this.by} lost its connection to ${this.to!.address}`);
  }
}

/** A call's stream on the backend's connection: what happens on it goes to the call. */
class BackendSide implements StreamHandler {
  constructor(private readonly call: RelayedCall) {}
  headers(h: Header[], end: boolean): void {
    this.call.backendHeaders(h, end);
  }
  data(payload: Buffer, end: boolean, flow: number): void {
    this.call.backendData(payload, end, flow);
  }
  reset(code: number): void {
    this.call.backendReset(code);
  }
  lost(): void {
    this.call.backendLost();
  }
}
