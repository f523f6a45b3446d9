// gRPC's length-prefixed framing on an HTTP/2 stream: a 1-byte compressed flag, a 4-byte big-endian
// length, then the message. The router reads frames to pass messages on; it never looks inside.

export interface GrpcMessage {
  compressed: boolean;
  message: Buffer;
}

/** Splits a byte stream into gRPC messages, however the bytes arrive in chunks. */
export class GrpcFrames {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): GrpcMessage[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: GrpcMessage[] = [];
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) break;
      out.push({ compressed: this.buf[0] === 1, message: this.buf.subarray(5, 5 + len) });
      this.buf = this.buf.subarray(5 + len);
    }
    return out;
  }
}

/** One message as a gRPC frame (uncompressed). */
export function frame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}
