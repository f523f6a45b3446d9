// One call through the router: the caller's HTTP/2 stream relayed to a stream on the backend's
// connection, as bytes. Headers go as they came (nghttp2 decoded them; the router read only :path),
// DATA is relayed both ways without looking at gRPC messages (compressed ones pass too), flow control
// follows from the relay (a side that stops reading stops its window updates), the backend's
// response headers and trailers (or its trailers-only answer) reach the caller, and an RST_STREAM
// goes on in either direction with its code. A backend connection lost mid-call ends the call
// UNAVAILABLE in trailers.
import http2, { type ClientHttp2Session, type Http2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { status } from '@grpc/grpc-js';
import { BACKEND_HEADER } from '../wire/index.js';

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM, NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;

/** What a caller's grpc-js makes of a reset stream's code (its own table). */
const RST_STATUS: Record<number, number> = {
  [NGHTTP2_CANCEL]: status.CANCELLED,
  [NGHTTP2_REFUSED_STREAM]: status.UNAVAILABLE,
  [NGHTTP2_ENHANCE_YOUR_CALM]: status.RESOURCE_EXHAUSTED,
};

/** grpc-message's percent-encoding: bytes outside printable ASCII, and % itself (the gRPC spec). */
export function percentEncode(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8'))
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

const statusHeaders = (code: number, message: string): OutgoingHttpHeaders => ({ 'grpc-status': String(code), 'grpc-message': percentEncode(message) });

/**
 * Whether a caller's stream can take no answer any more. A stream the caller reset while it was
 * paused with bytes unread is closed but not destroyed, and says nothing ('close' comes only once
 * its bytes are read): checking `destroyed` alone would respond on it, and respond() would throw.
 */
export const gone = (stream: Http2Stream): boolean => stream.destroyed || stream.closed;

/** The router's own answer, in one header block (trailers-only), with nothing forwarded. */
export function answer(stream: ServerHttp2Stream, code: number, message: string): void {
  if (gone(stream) || stream.headersSent) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...statusHeaders(code, message) }, { endStream: true });
  stream.resume();
}

/** The gRPC status of a response's trailers (or of a trailers-only answer). */
const codeOf = (h: IncomingHttpHeaders | OutgoingHttpHeaders | undefined): number => {
  const v = Number(h?.['grpc-status']);
  return Number.isInteger(v) ? v : status.UNKNOWN;
};

/**
 * DATA from one stream to the other as it comes, and the end of it; when the other side's buffer is
 * full, reading stops (so does this side's window update) until it drains. What pipe() does, with a
 * third of its listeners: the profile showed pipe's bookkeeping among the router's top costs.
 */
function relay(from: Duplex, to: Duplex): void {
  const resume = () => from.resume();
  from.on('data', (chunk: Buffer) => {
    if (to.destroyed || to.writableEnded) return; // the other side is done: the rest is dropped
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', resume);
    }
  });
  from.on('end', () => !to.destroyed && !to.writableEnded && to.end());
  // A side that closes while this one waits for its drain would hold this one paused for good
  // (its END_STREAM stuck behind unread bytes): read on, and drop.
  to.once('close', () => {
    to.off('drain', resume);
    from.resume();
  });
  from.resume(); // a stream held paused (a delay fault) flows again
}

/** Who served a call, when the server says it (the lab's echo servers put their name in x-lab-backend). */
const identityOf = (h: IncomingHttpHeaders | OutgoingHttpHeaders | undefined): string | undefined => {
  const v = h?.[BACKEND_HEADER];
  return typeof v === 'string' ? v : undefined;
};

/**
 * Relays `inbound` to a new stream on `session`; `done` gets the call's gRPC status once, when it
 * ends (the backend's, the router's, or CANCELLED when the caller went away), and the server's
 * name for itself when it gave one.
 */
export function forward(
  { inbound, headers, session, backend }: { inbound: ServerHttp2Stream; headers: IncomingHttpHeaders; session: ClientHttp2Session; backend: string },
  done: (code: number, identity?: string) => void,
): void {
  let up: http2.ClientHttp2Stream;
  try {
    up = session.request(headers, { endStream: false });
  } catch (err) {
    answer(inbound, status.UNAVAILABLE, `the router cannot open a stream to ${backend}: ${(err as Error).message}`);
    done(status.UNAVAILABLE);
    return;
  }
  let ended = false;
  let trailers: OutgoingHttpHeaders | undefined;
  let identity: string | undefined;
  const finish = (code: number) => {
    if (ended) return;
    ended = true;
    done(code, identity);
  };
  up.on('error', () => undefined);
  up.on('response', (h, flags) => {
    if (gone(inbound)) {
      // The caller left without a word (a reset while its stream was paused): end both sides.
      if (!up.destroyed) up.close(NGHTTP2_CANCEL);
      inbound.destroy();
      finish(status.CANCELLED);
      return;
    }
    identity = identityOf(h);
    if (flags & NGHTTP2_FLAG_END_STREAM) {
      // Trailers-only: the status is in the one header block.
      inbound.respond(h, { endStream: true });
      finish(codeOf(h));
      return;
    }
    inbound.respond(h, { waitForTrailers: true });
    relay(up, inbound);
  });
  up.on('trailers', (t) => {
    trailers = t;
    identity ??= identityOf(t);
  });
  inbound.on('wantTrailers', () => {
    const t = trailers ?? statusHeaders(status.INTERNAL, `${backend} ended the response without a status`);
    inbound.sendTrailers(t);
    finish(codeOf(t));
  });
  up.on('close', () => {
    if (ended || inbound.destroyed) return;
    // A finished response: the relay ends the caller's stream, and wantTrailers sends the trailers.
    if (trailers && up.readableEnded) return;
    const rst = up.rstCode ?? NGHTTP2_CANCEL;
    if (rst === NGHTTP2_NO_ERROR && inbound.headersSent && up.readableEnded) return; // ended without trailers: wantTrailers says so (INTERNAL)
    if (rst === NGHTTP2_REFUSED_STREAM && !inbound.headersSent) {
      // Never processed (a GOAWAY left it out, or the backend's stream limit): the caller's grpc-js retries a refused stream by itself.
      inbound.close(NGHTTP2_REFUSED_STREAM);
      finish(status.UNAVAILABLE);
      return;
    }
    if (session.destroyed || session.closed || rst === NGHTTP2_NO_ERROR || trailers) {
      // The connection went (the backend died, or went away with part of the response unread).
      const message = `the router lost its connection to ${backend}`;
      if (!inbound.headersSent) answer(inbound, status.UNAVAILABLE, message);
      else {
        trailers = statusHeaders(status.UNAVAILABLE, message);
        inbound.end();
      }
      finish(status.UNAVAILABLE);
      return;
    }
    // The backend reset the stream: the caller gets the same RST_STREAM code.
    inbound.close(rst);
    finish(RST_STATUS[rst] ?? status.INTERNAL);
  });
  inbound.on('error', () => undefined);
  relay(inbound, up);
  inbound.on('close', () => {
    if (ended) return;
    // The caller went away (cancelled, its deadline passed): the backend's stream is reset with its code.
    const code = inbound.rstCode || NGHTTP2_CANCEL;
    if (!up.destroyed) up.close(code);
    finish(status.CANCELLED);
  });
}
