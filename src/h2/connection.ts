// One HTTP/2 connection over a socket, as a relay needs it (RFC 9113): frames parsed from the bytes,
// header blocks decoded with HPACK, DATA handed on as slices of what was read (never copied), and
// flow control both ways: what this side sends waits for the peer's windows; what it receives is
// credited back (WINDOW_UPDATE) only when the relay says the bytes went on, so a side that is not
// read stops the other. The same class is the router's side towards a caller (role 'server') and
// towards a backend (role 'client').
import type { Socket } from 'node:net';
import { DEFAULT_MAX_FRAME, DEFAULT_WINDOW, ERROR, FLAG, FRAME, MAX_WINDOW, PREFACE, SETTING } from './frames.js';
import { encodedBound, HpackDecoder, HpackEncoder, HpackError, type Header } from './hpack.js';

/** What happens on one stream, as the connection tells its owner. */
export interface StreamHandler {
  headers(headers: Header[], end: boolean): void;
  /** `flowLength`: what the frame took from the window (with padding); give it back with consume(). */
  data(payload: Buffer, end: boolean, flowLength: number): void;
  /** The peer reset the stream (or a GOAWAY left it unprocessed: REFUSED_STREAM). */
  reset(code: number): void;
  /** The connection ended with the stream open. */
  lost(): void;
}

export interface ConnectionEvents {
  /** (server role) A caller opened a stream: attach a handler before returning. */
  stream?(id: number, headers: Header[], end: boolean): void;
  /** The peer's first SETTINGS came: it speaks HTTP/2. */
  ready?(): void;
  goaway?(lastStreamId: number, code: number): void;
  /** (client role) A stream of this side's closed while it was at the peer's stream limit: one more can open. */
  slot?(): void;
  /**
   * The peer sent a PING. Without this handler the connection answers it at once; with it, the
   * owner answers (pong) when it will: a relay answers a caller's PING once its backend answered.
   */
  ping?(payload: Buffer): void;
  /** The peer answered a PING of this side's (ping()). */
  pong?(payload: Buffer): void;
  close?(error?: string): void;
}

export interface ConnectionSettings {
  /** Each stream's receive window this side advertises. */
  initialWindowSize?: number;
  /** The connection's receive window. */
  connectionWindowSize?: number;
  maxConcurrentStreams?: number;
}

/**
 * DATA waiting for window. Once its bytes are written, `flow` bytes of stream `creditId`'s window
 * are given back on `creditTo` (the relay's other side): fields, not a closure, as there is one of
 * these per frame relayed.
 */
interface Outgoing {
  buf: Buffer;
  creditTo?: H2Connection;
  creditId: number;
  flow: number;
}

const credit = (o: Outgoing) => o.creditTo?.consume(o.creditId, o.flow);

interface Stream {
  id: number;
  handler?: StreamHandler;
  sendWindow: number;
  /** Bytes received and passed on, not yet credited back. */
  unacked: number;
  queue: Outgoing[];
  /** END_STREAM goes with the last queued DATA; trailers, when given, go after it instead. */
  ending: boolean;
  trailers?: Header[];
  /** Once this side's END_STREAM is written, reset the stream if the peer's side is still open. */
  resetWhenDone: boolean;
  localClosed: boolean;
  remoteClosed: boolean;
  local: boolean;
}

const EMPTY: Header[] = [];
/** The scratch buffer's size: small frames of many calls, written in place. */
const SCRATCH = 64 << 10;
/**
 * DATA payloads this small are copied into the scratch; larger ones go out as the slices that were
 * read. The profile said why: a writev of many small slices cost the router more than the copies.
 */
const COPY_BELOW = 4096;

export class H2Connection {
  private readonly streams = new Map<number, Stream>();
  private readonly decoder = new HpackDecoder();
  private readonly encoder = new HpackEncoder();
  private pending?: Buffer;
  private prefaceLeft: number;
  private out: Buffer[] = [];
  private outBytes = 0;
  private scratch = Buffer.allocUnsafe(SCRATCH);
  private scratchStart = 0;
  private scratchEnd = 0;
  private flushing = false;
  private block?: { id: number; end: boolean; parts: Buffer[] };
  private peerWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME;
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS: the streams this side may have open at once. */
  private peerMaxStreams = Infinity;
  /** Streams this side opened that are still open. */
  private localOpen = 0;
  private sendWindow = DEFAULT_WINDOW;
  private unacked = 0;
  private readonly blocked = new Set<Stream>();
  private nextId = 1;
  private lastPeerId = 0;
  private readonly streamWindow: number;
  private readonly connWindow: number;
  private readonly maxStreams: number;
  private gotSettings = false;
  private lastError?: string;
  /** The peer sent a GOAWAY: no new stream of ours. */
  goingAway = false;
  /** This side sent a GOAWAY: no new stream of the peer's. */
  closing = false;
  closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly role: 'server' | 'client',
    private readonly events: ConnectionEvents,
    settings: ConnectionSettings = {},
  ) {
    this.streamWindow = Math.min(settings.initialWindowSize ?? DEFAULT_WINDOW, MAX_WINDOW);
    this.connWindow = Math.max(DEFAULT_WINDOW, Math.min(settings.connectionWindowSize ?? DEFAULT_WINDOW, MAX_WINDOW));
    this.maxStreams = settings.maxConcurrentStreams ?? 2 ** 32 - 1;
    this.prefaceLeft = role === 'server' ? PREFACE.length : 0;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => (this.lastError ??= err.code ?? err.message));
    socket.on('close', () => this.onClose());
    if (role === 'client') this.write(PREFACE);
    const s = [SETTING.ENABLE_PUSH, 0, SETTING.INITIAL_WINDOW_SIZE, this.streamWindow];
    if (role === 'server') s.push(SETTING.MAX_CONCURRENT_STREAMS, Math.min(this.maxStreams, 2 ** 32 - 1));
    this.put(FRAME.SETTINGS, 0, 0, settingsPayload(s));
    if (this.connWindow > DEFAULT_WINDOW) this.put32(FRAME.WINDOW_UPDATE, 0, this.connWindow - DEFAULT_WINDOW);
  }

  /** (client role) Whether a new stream can open now: not going away, under the peer's stream limit. */
  get canOpen(): boolean {
    return !this.closed && !this.goingAway && !this.closing && this.nextId <= MAX_WINDOW && this.localOpen < this.peerMaxStreams;
  }

  // ---- sending -------------------------------------------------------------------------------

  /** Bytes going out as they are (DATA payloads): after what the scratch holds so far. */
  private write(b: Buffer): void {
    if (b.length <= COPY_BELOW) {
      // A small payload is copied beside its frame header: one buffer, not one more in a writev.
      const at = this.room(b.length); // first: it may replace the scratch
      b.copy(this.scratch, at);
      return;
    }
    this.seal();
    this.out.push(b);
    this.outBytes += b.length;
    this.schedule();
  }

  /**
   * Room for `n` bytes of small frames in the scratch buffer: frames are written into it in place,
   * not allocated one by one. What was handed to the socket is never written over (a full scratch
   * is replaced, as Node's own Buffer pool does).
   */
  private room(n: number): number {
    if (this.scratchEnd + n > this.scratch.length) {
      this.seal();
      this.scratch = Buffer.allocUnsafe(Math.max(SCRATCH, n));
      this.scratchStart = this.scratchEnd = 0;
    }
    const at = this.scratchEnd;
    this.scratchEnd += n;
    this.outBytes += n;
    this.schedule();
    return at;
  }

  private seal(): void {
    if (this.scratchEnd > this.scratchStart) this.out.push(this.scratch.subarray(this.scratchStart, this.scratchEnd));
    this.scratchStart = this.scratchEnd;
  }

  private schedule(): void {
    if (!this.flushing) {
      this.flushing = true;
      // After every socket read of this turn of the event loop: what they all produced goes out together.
      setImmediate(this.flush);
    }
  }

  /** A frame's header, and its payload when it is small (copied into the scratch). */
  private put(type: number, flags: number, id: number, payload?: Buffer, length = payload?.length ?? 0): void {
    const at = this.room(9 + (payload ? payload.length : 0));
    this.frameHeaderAt(at, length, type, flags, id);
    if (payload) payload.copy(this.scratch, at + 9);
  }

  private frameHeaderAt(at: number, length: number, type: number, flags: number, id: number): void {
    const buf = this.scratch;
    buf[at] = (length >>> 16) & 0xff;
    buf[at + 1] = (length >>> 8) & 0xff;
    buf[at + 2] = length & 0xff;
    buf[at + 3] = type;
    buf[at + 4] = flags;
    buf.writeUInt32BE(id & 0x7fffffff, at + 5);
  }

  /** A frame whose payload is one or two 32-bit numbers (WINDOW_UPDATE, RST_STREAM, GOAWAY). */
  private put32(type: number, id: number, a: number, b?: number): void {
    const len = b === undefined ? 4 : 8;
    const at = this.room(9 + len);
    this.frameHeaderAt(at, len, type, 0, id);
    const buf = this.scratch;
    buf.writeUInt32BE(a >>> 0, at + 9);
    if (b !== undefined) buf.writeUInt32BE(b >>> 0, at + 13);
  }

  /** What was written in this turn of the loop goes out in one write (or one writev, when there are DATA payloads). */
  private readonly flush = (): void => {
    this.flushing = false;
    this.seal();
    const out = this.out;
    const bytes = this.outBytes;
    this.out = [];
    this.outBytes = 0;
    if (this.closed || this.socket.destroyed || this.socket.writableEnded || out.length === 0) return; // ended: a late frame has no one to go to
    if (out.length === 1) this.socket.write(out[0]);
    else if (bytes <= SCRATCH) this.socket.write(Buffer.concat(out, bytes));
    else {
      this.socket.cork();
      for (const b of out) this.socket.write(b);
      this.socket.uncork();
    }
  };

  /** (client role) A new stream for `handler`; undefined when the connection takes no new stream. */
  openStream(handler: StreamHandler): number | undefined {
    if (!this.canOpen) return undefined;
    const id = this.nextId;
    this.nextId += 2;
    this.localOpen++;
    this.streams.set(id, this.newStream(id, handler, true));
    return id;
  }

  private newStream(id: number, handler: StreamHandler | undefined, local: boolean): Stream {
    return {
      id,
      handler,
      sendWindow: this.peerWindow,
      unacked: 0,
      queue: [],
      ending: false,
      resetWhenDone: false,
      localClosed: false,
      remoteClosed: false,
      local,
    };
  }

  attach(id: number, handler: StreamHandler): void {
    const s = this.streams.get(id);
    if (s) s.handler = handler;
  }

  /** Headers on a stream: the first block, or trailers (`end`), which wait for the DATA queued before them. */
  sendHeaders(id: number, headers: readonly Header[], end: boolean): void {
    const s = this.streams.get(id);
    if (!s || s.localClosed) return;
    if (end && s.queue.length > 0) {
      s.trailers = [...headers];
      s.ending = true;
      return;
    }
    this.writeHeaders(s, headers, end);
  }

  private writeHeaders(s: Stream, headers: readonly Header[], end: boolean): void {
    const flags = end ? FLAG.END_STREAM : 0;
    const bound = encodedBound(headers);
    if (bound <= this.peerMaxFrame) {
      // The usual block: encoded in place, after a frame header whose length is filled in after.
      const at = this.room(9 + bound);
      const stop = this.encoder.encodeInto(headers, this.scratch, at + 9);
      this.scratchEnd = stop;
      this.outBytes -= at + 9 + bound - stop;
      this.frameHeaderAt(at, stop - at - 9, FRAME.HEADERS, flags | FLAG.END_HEADERS, s.id);
    } else {
      const block = this.encoder.encode(headers);
      for (let at = 0; at < block.length; at += this.peerMaxFrame) {
        const part = block.subarray(at, at + this.peerMaxFrame);
        const last = at + this.peerMaxFrame >= block.length;
        this.put(at === 0 ? FRAME.HEADERS : FRAME.CONTINUATION, (at === 0 ? flags : 0) | (last ? FLAG.END_HEADERS : 0), s.id, part);
      }
    }
    if (end) this.endedLocally(s);
  }

  /**
   * DATA on a stream, as the windows allow. Once all of `buf` is written (or dropped), `flow` bytes
   * of stream `creditId`'s window are given back on `creditTo`.
   */
  sendData(id: number, buf: Buffer, end: boolean, creditTo?: H2Connection, creditId = 0, flow = 0): void {
    const s = this.streams.get(id);
    if (!s || s.localClosed || s.ending) {
      creditTo?.consume(creditId, flow);
      return;
    }
    const n = buf.length;
    if (s.queue.length === 0 && n <= this.peerMaxFrame && n <= s.sendWindow && n <= this.sendWindow) {
      // The usual case: nothing waits before it and the windows take it whole; it goes at once.
      this.dataFrame(s, buf, end);
      creditTo?.consume(creditId, flow);
      if (end) {
        s.ending = true;
        this.endedLocally(s);
      }
      return;
    }
    s.queue.push({ buf, creditTo, creditId, flow });
    if (end) s.ending = true;
    this.pump(s);
  }

  private pump(s: Stream): void {
    while (s.queue.length > 0) {
      const item = s.queue[0];
      const room = Math.min(s.sendWindow, this.sendWindow, this.peerMaxFrame);
      if (item.buf.length > 0 && room <= 0) {
        if (this.sendWindow <= 0) this.blocked.add(s);
        return;
      }
      const n = Math.max(0, Math.min(room, item.buf.length)); // an empty frame goes whatever the windows say
      const whole = n === item.buf.length;
      const last = whole && s.queue.length === 1 && s.ending && !s.trailers;
      this.dataFrame(s, whole ? item.buf : item.buf.subarray(0, n), last);
      if (!whole) {
        item.buf = item.buf.subarray(n);
        continue;
      }
      s.queue.shift();
      credit(item);
      if (last) return this.endedLocally(s);
    }
    if (s.trailers) {
      const t = s.trailers;
      s.trailers = undefined;
      this.writeHeaders(s, t, true);
    } else if (s.ending && !s.localClosed) {
      this.put(FRAME.DATA, FLAG.END_STREAM, s.id);
      this.endedLocally(s);
    }
  }

  /** One DATA frame of `buf`, which the windows have room for: its header, its bytes, the windows taken. */
  private dataFrame(s: Stream, buf: Buffer, end: boolean): void {
    const n = buf.length;
    this.put(FRAME.DATA, end ? FLAG.END_STREAM : 0, s.id, undefined, n);
    if (n > 0) this.write(buf);
    s.sendWindow -= n;
    this.sendWindow -= n;
  }

  private endedLocally(s: Stream): void {
    s.localClosed = true;
    this.blocked.delete(s);
    if (!s.remoteClosed && s.resetWhenDone) {
      this.put32(FRAME.RST_STREAM, s.id, ERROR.NO_ERROR);
      s.remoteClosed = true;
    }
    this.maybeForget(s);
  }

  /** Once this side has sent its END_STREAM, reset the stream (NO_ERROR) if the peer is still sending. */
  finishWhenSent(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    s.resetWhenDone = true;
    if (s.localClosed && !s.remoteClosed) this.endedLocally(s);
  }

  /**
   * Give back `n` bytes of a stream's window (the relay passed them on). The connection's window is
   * given back as bytes arrive (received()), as nghttp2 does: held back too, a few streams whose
   * readers stopped would hold the window every other stream on the connection shares.
   */
  consume(id: number, n: number): void {
    if (n <= 0 || this.closed) return;
    const s = this.streams.get(id);
    if (!s || s.remoteClosed) return;
    s.unacked += n;
    if (s.unacked >= this.streamWindow >>> 1 || s.unacked >= 65_536) {
      this.put32(FRAME.WINDOW_UPDATE, id, s.unacked);
      s.unacked = 0;
    }
  }

  /** RST_STREAM: what was queued is dropped (its window given back to the other side). */
  reset(id: number, code: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    if (s.localClosed && s.remoteClosed) return this.forget(s); // ended both ways: nothing to reset
    this.put32(FRAME.RST_STREAM, id, code);
    this.forget(s);
  }

  private forget(s: Stream): void {
    if (!this.streams.delete(s.id)) return;
    this.blocked.delete(s);
    if (s.local && this.localOpen-- >= this.peerMaxStreams) this.events.slot?.();
    const queue = s.queue;
    s.queue = [];
    for (const item of queue) credit(item);
    s.localClosed = s.remoteClosed = true;
    if ((this.closing || this.goingAway) && this.streams.size === 0) this.end();
  }

  private maybeForget(s: Stream): void {
    if (s.localClosed && s.remoteClosed) this.forget(s);
  }

  /** Sends a PING with this 8-byte payload (its answer comes to the pong event). */
  ping(payload: Buffer): void {
    if (this.closed) return;
    this.put(FRAME.PING, 0, 0, payload);
    this.schedule();
  }

  /** Answers a PING the ping event held. */
  pong(payload: Buffer): void {
    if (this.closed) return;
    this.put(FRAME.PING, FLAG.ACK, 0, payload);
    this.schedule();
  }

  /** A GOAWAY: streams open now finish, no new one is taken; the socket ends after the last. */
  close(): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.put32(FRAME.GOAWAY, 0, this.lastPeerId, ERROR.NO_ERROR);
    if (this.streams.size === 0) this.end();
  }

  private end(): void {
    process.nextTick(() => {
      this.flush();
      if (!this.socket.destroyed) this.socket.end();
    });
  }

  destroy(): void {
    this.flush();
    this.socket.destroy();
  }

  // ---- receiving -----------------------------------------------------------------------------

  private read(chunk: Buffer): void {
    let pos = 0;
    if (this.pending) {
      // A frame cut by the last read: complete that frame only, copying no more of this read than it
      // needs (a whole 64 KiB read copied for a few bytes would cost more than the frames in it).
      const pending = this.pending;
      const head = pending.length >= 9 ? pending : Buffer.concat([pending, chunk.subarray(0, 9 - pending.length)]);
      if (head.length < 9) {
        this.pending = head;
        return;
      }
      const len = (head[0] << 16) | (head[1] << 8) | head[2];
      if (len > DEFAULT_MAX_FRAME) return void this.parse(head, 0); // refuses it
      const need = 9 + len - pending.length;
      if (need > chunk.length) {
        this.pending = Buffer.concat([pending, chunk]);
        return;
      }
      this.pending = undefined;
      const frame = Buffer.concat([pending, chunk.subarray(0, need)]);
      if (this.parse(frame, 0) < frame.length) return; // the connection failed
      pos = need;
    }
    const end = this.parse(chunk, pos);
    if (end < chunk.length && !this.socket.destroyed) this.pending = Buffer.from(chunk.subarray(end));
  }

  /** Handles the whole frames in buf from pos; returns where the first incomplete one starts. */
  private parse(buf: Buffer, pos: number): number {
    if (this.prefaceLeft > 0) {
      const n = Math.min(this.prefaceLeft, buf.length - pos);
      const at = PREFACE.length - this.prefaceLeft;
      if (!buf.subarray(pos, pos + n).equals(PREFACE.subarray(at, at + n))) {
        this.fail(ERROR.PROTOCOL_ERROR, 'not an HTTP/2 connection preface');
        return pos;
      }
      this.prefaceLeft -= n;
      pos += n;
    }
    while (buf.length - pos >= 9 && !this.closed) {
      const len = (buf[pos] << 16) | (buf[pos + 1] << 8) | buf[pos + 2];
      if (len > DEFAULT_MAX_FRAME) {
        this.fail(ERROR.FRAME_SIZE_ERROR, `a frame of ${len} bytes`);
        return pos;
      }
      if (buf.length - pos - 9 < len) break;
      const type = buf[pos + 3];
      const flags = buf[pos + 4];
      const id = buf.readUInt32BE(pos + 5) & 0x7fffffff;
      const payload = buf.subarray(pos + 9, pos + 9 + len);
      try {
        this.frame(type, flags, id, payload);
      } catch (err) {
        // Whatever a peer sends ends at most its own connection, never the process.
        if (err instanceof HpackError) this.fail(ERROR.COMPRESSION_ERROR, err.message);
        else if (err instanceof ProtocolError) this.fail(err.code, err.message);
        else this.fail(ERROR.INTERNAL_ERROR, (err as Error).message);
        return pos;
      }
      pos += 9 + len;
    }
    return pos;
  }

  private fail(code: number, why: string): void {
    this.lastError ??= why;
    this.put32(FRAME.GOAWAY, 0, this.lastPeerId, code);
    this.flush();
    this.socket.destroy();
  }

  private frame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.block && type !== FRAME.CONTINUATION) throw new ProtocolError('a header block cut by another frame');
    if (wrongSize(type, payload.length)) throw new ProtocolError(`a frame of type ${type} with ${payload.length} bytes`, ERROR.FRAME_SIZE_ERROR);
    if (id === 0 ? STREAM_ONLY.has(type) : CONNECTION_ONLY.has(type)) throw new ProtocolError(`a frame of type ${type} on stream ${id}`);
    switch (type) {
      case FRAME.DATA:
        return this.onDataFrame(flags, id, payload);
      case FRAME.HEADERS:
        return this.onHeadersFrame(flags, id, payload);
      case FRAME.CONTINUATION:
        if (!this.block || this.block.id !== id) throw new ProtocolError('a CONTINUATION with no header block');
        this.block.parts.push(payload);
        if (flags & FLAG.END_HEADERS) {
          const { end, parts } = this.block;
          this.block = undefined;
          this.onHeaderBlock(id, end, Buffer.concat(parts));
        }
        return;
      case FRAME.RST_STREAM: {
        const s = this.streams.get(id);
        if (!s || payload.length < 4) return;
        this.forget(s);
        s.handler?.reset(payload.readUInt32BE(0));
        return;
      }
      case FRAME.SETTINGS:
        if (flags & FLAG.ACK) return;
        return this.onSettings(payload);
      case FRAME.PING:
        if (flags & FLAG.ACK) this.events.pong?.(payload);
        else if (this.events.ping) this.events.ping(Buffer.from(payload));
        else this.put(FRAME.PING, FLAG.ACK, 0, payload);
        return;
      case FRAME.GOAWAY:
        return this.onGoaway(payload);
      case FRAME.WINDOW_UPDATE: {
        const inc = payload.readUInt32BE(0) & 0x7fffffff;
        if (inc === 0 && id === 0) throw new ProtocolError('a WINDOW_UPDATE of 0');
        if (id === 0) {
          if (this.sendWindow + inc > MAX_WINDOW) throw new ProtocolError('the connection window past 2^31-1', ERROR.FLOW_CONTROL_ERROR);
          this.sendWindow += inc;
          const blocked = [...this.blocked];
          this.blocked.clear();
          for (const s of blocked) this.pump(s);
        } else {
          const s = this.streams.get(id);
          if (!s) return;
          if (inc === 0 || s.sendWindow + inc > MAX_WINDOW) {
            this.reset(id, inc === 0 ? ERROR.PROTOCOL_ERROR : ERROR.FLOW_CONTROL_ERROR);
            s.handler?.reset(ERROR.INTERNAL_ERROR);
            return;
          }
          s.sendWindow += inc;
          this.pump(s);
        }
        return;
      }
      case FRAME.PUSH_PROMISE:
        throw new ProtocolError('a PUSH_PROMISE: this side turned push off');
      default:
        return; // PRIORITY, and unknown types: nothing to do
    }
  }

  /** The connection's window, given back once half of it has arrived. */
  private received(n: number): void {
    this.unacked += n;
    if (this.unacked >= this.connWindow >>> 1) {
      this.put32(FRAME.WINDOW_UPDATE, 0, this.unacked);
      this.unacked = 0;
    }
  }

  private onDataFrame(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw new ProtocolError('DATA on stream 0');
    this.received(payload.length);
    const s = this.streams.get(id);
    if (!s || s.remoteClosed) return;
    let data = payload;
    if (flags & FLAG.PADDED) {
      const pad = payload[0];
      if (pad >= payload.length) throw new ProtocolError('padding past the frame');
      data = payload.subarray(1, payload.length - pad);
    }
    const end = (flags & FLAG.END_STREAM) !== 0;
    if (end) s.remoteClosed = true;
    s.handler?.data(data, end, payload.length);
    if (end) this.maybeForget(s);
  }

  private onHeadersFrame(flags: number, id: number, payload: Buffer): void {
    let start = 0;
    let stop = payload.length;
    if (flags & FLAG.PADDED) {
      stop -= payload[0];
      start = 1;
    }
    if (flags & FLAG.PRIORITY) start += 5;
    if (start > stop) throw new ProtocolError('padding past the frame');
    const block = payload.subarray(start, stop);
    const end = (flags & FLAG.END_STREAM) !== 0;
    if (flags & FLAG.END_HEADERS) this.onHeaderBlock(id, end, block);
    else this.block = { id, end, parts: [Buffer.from(block)] };
  }

  private onHeaderBlock(id: number, end: boolean, block: Buffer): void {
    const headers = block.length > 0 ? this.decoder.decode(block) : EMPTY; // always: the table must stay in step
    let s = this.streams.get(id);
    if (!s) {
      if (this.role !== 'server' || id % 2 === 0 || id <= this.lastPeerId) return; // a late frame of a stream already gone
      this.lastPeerId = id;
      if (this.closing) return;
      s = this.newStream(id, undefined, false);
      this.streams.set(id, s);
      if (this.streams.size > this.maxStreams) {
        this.reset(id, ERROR.REFUSED_STREAM);
        return;
      }
      if (end) s.remoteClosed = true;
      this.events.stream?.(id, headers, end);
      return;
    }
    if (s.remoteClosed) return;
    if (end) s.remoteClosed = true;
    s.handler?.headers(headers, end);
    if (end) this.maybeForget(s);
  }

  private onSettings(payload: Buffer): void {
    for (let at = 0; at + 6 <= payload.length; at += 6) {
      const id = payload.readUInt16BE(at);
      const v = payload.readUInt32BE(at + 2);
      if (id === SETTING.INITIAL_WINDOW_SIZE) {
        if (v > MAX_WINDOW) throw new ProtocolError(`SETTINGS_INITIAL_WINDOW_SIZE ${v}`, ERROR.FLOW_CONTROL_ERROR);
        const delta = v - this.peerWindow;
        this.peerWindow = v;
        for (const s of this.streams.values()) s.sendWindow += delta;
      } else if (id === SETTING.MAX_FRAME_SIZE) {
        if (v < DEFAULT_MAX_FRAME || v > 2 ** 24 - 1) throw new ProtocolError(`SETTINGS_MAX_FRAME_SIZE ${v}`);
        this.peerMaxFrame = v;
      } else if (id === SETTING.MAX_CONCURRENT_STREAMS) this.peerMaxStreams = v;
      else if (id === SETTING.HEADER_TABLE_SIZE) this.encoder.setPeerLimit(v);
    }
    this.put(FRAME.SETTINGS, FLAG.ACK, 0);
    for (const s of [...this.streams.values()]) if (s.queue.length > 0) this.pump(s);
    if (!this.gotSettings) {
      this.gotSettings = true;
      this.events.ready?.();
    }
  }

  private onGoaway(payload: Buffer): void {
    const last = payload.readUInt32BE(0) & 0x7fffffff;
    const code = payload.readUInt32BE(4);
    this.goingAway = true;
    // Streams past the last one it processed were never seen: refused, so a caller can retry them.
    for (const s of [...this.streams.values()])
      if (s.local && s.id > last) {
        this.forget(s);
        s.handler?.reset(ERROR.REFUSED_STREAM);
      }
    this.events.goaway?.(last, code);
    if (this.streams.size === 0) this.end();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    const open = [...this.streams.values()];
    this.streams.clear();
    this.blocked.clear();
    for (const s of open) {
      const queue = s.queue;
      s.queue = [];
      for (const item of queue) credit(item); // the other side's window back: these bytes go nowhere now
      s.handler?.lost();
    }
    this.events.close?.(this.lastError);
  }
}

class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code: number = ERROR.PROTOCOL_ERROR,
  ) {
    super(message);
  }
}

/** Whether a frame's payload has a size the protocol does not allow for its type. */
function wrongSize(type: number, length: number): boolean {
  switch (type) {
    case FRAME.PRIORITY:
      return length !== 5;
    case FRAME.RST_STREAM:
    case FRAME.WINDOW_UPDATE:
      return length !== 4;
    case FRAME.PING:
      return length !== 8;
    case FRAME.GOAWAY:
      return length < 8;
    case FRAME.SETTINGS:
      return length % 6 !== 0;
    default:
      return false;
  }
}
/** Frames that belong to a stream, and frames that belong to the connection (stream 0). */
const STREAM_ONLY = new Set<number>([FRAME.DATA, FRAME.HEADERS, FRAME.PRIORITY, FRAME.RST_STREAM, FRAME.CONTINUATION, FRAME.PUSH_PROMISE]);
const CONNECTION_ONLY = new Set<number>([FRAME.SETTINGS, FRAME.PING, FRAME.GOAWAY]);

function settingsPayload(pairs: number[]): Buffer {
  const b = Buffer.allocUnsafe((pairs.length / 2) * 6);
  for (let i = 0; i < pairs.length; i += 2) {
    b.writeUInt16BE(pairs[i], i * 3);
    b.writeUInt32BE(pairs[i + 1] >>> 0, i * 3 + 2);
  }
  return b;
}
