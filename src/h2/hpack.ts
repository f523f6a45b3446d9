// HPACK (RFC 7541), as far as a relay needs it: a decoder with its dynamic table and Huffman
// strings, for what callers and backends send; and an encoder with a dynamic table of its own
// (no Huffman), for what the router sends. Each lives as long as its connection.
// Names and values are kept as latin1 strings: every byte comes through as it came.
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table.js';

/** A header as decoded: read-only, since the decoder's dynamic table may hand the same one to later blocks. */
export type Header = readonly [name: string, value: string];

export class HpackError extends Error {}

// prettier-ignore
const STATIC: Header[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** The static table's index of a name and value (exact), and of a name alone (its first). */
const STATIC_PAIR = new Map<string, Map<string, number>>();
const STATIC_NAME = new Map<string, number>();
STATIC.forEach(([n, v], i) => {
  let values = STATIC_PAIR.get(n);
  if (!values) STATIC_PAIR.set(n, (values = new Map()));
  if (!values.has(v)) values.set(v, i + 1);
  if (!STATIC_NAME.has(n)) STATIC_NAME.set(n, i + 1);
});

/**
 * The Huffman code as a binary tree in a flat array: node n's children are at 2n and 2n+1; a
 * child >= 0 is a node, a child < 0 is the symbol -child-1 (256 is EOS).
 */
const TREE = (() => {
  const tree: number[] = [0, 0];
  let nodes = 1;
  const add = (code: number, len: number, sym: number) => {
    let n = 0;
    for (let i = len - 1; i >= 0; i--) {
      const slot = 2 * n + ((code >>> i) & 1);
      if (i === 0) tree[slot] = -sym - 1;
      else {
        if (tree[slot] === 0) {
          tree[slot] = nodes++;
          tree.push(0, 0);
        }
        n = tree[slot];
      }
    }
  };
  for (let s = 0; s < 256; s++) add(HUFFMAN_CODES[s], HUFFMAN_LENGTHS[s], s);
  add(0x3fffffff, 30, 256);
  return Int32Array.from(tree);
})();

/** Where huffmanDecode writes its bytes before they become a string: grown, never shrunk. */
let scratch = Buffer.allocUnsafe(1024);

function huffmanDecode(buf: Buffer, start: number, end: number): string {
  const room = (end - start) * 2; // at most 8/5 symbols per byte
  if (scratch.length < room) scratch = Buffer.allocUnsafe(Math.max(room, scratch.length * 2));
  const out = scratch;
  let o = 0;
  let node = 0;
  let depth = 0; // bits since the last symbol
  let ones = true; // those bits were all ones (valid padding)
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    for (let b = 7; b >= 0; b--) {
      const bit = (byte >> b) & 1;
      const next = TREE[2 * node + bit];
      depth++;
      ones &&= bit === 1;
      if (next < 0) {
        const sym = -next - 1;
        if (sym === 256) throw new HpackError('EOS in a Huffman string');
        out[o++] = sym;
        node = 0;
        depth = 0;
        ones = true;
      } else if (next === 0) throw new HpackError('an invalid Huffman code');
      else node = next;
    }
  }
  if (depth > 7 || !ones) throw new HpackError('invalid Huffman padding');
  return out.toString('latin1', 0, o);
}

/**
 * Reads a header block: an HPACK integer or string at `pos`, which moves past it. (A cursor, so
 * reading allocates nothing but the strings.)
 */
class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end: number,
  ) {}

  /** An integer with an N-bit prefix. */
  int(prefixBits: number): number {
    const { buf, end } = this;
    const max = (1 << prefixBits) - 1;
    let v = buf[this.pos++] & max;
    if (v < max) return v;
    let shift = 0;
    for (;;) {
      if (this.pos >= end) throw new HpackError('a truncated integer');
      const b = buf[this.pos++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return v;
      if (shift > 28) throw new HpackError('an integer too large');
    }
  }

  string(): string {
    if (this.pos >= this.end) throw new HpackError('a truncated string');
    const huffman = (this.buf[this.pos] & 0x80) !== 0;
    const len = this.int(7);
    const start = this.pos;
    if (start + len > this.end) throw new HpackError('a string past the header block');
    this.pos = start + len;
    return huffman ? huffmanDecode(this.buf, start, start + len) : this.buf.toString('latin1', start, start + len);
  }
}

/** One connection direction's decoder: its dynamic table lives as long as the connection. */
export class HpackDecoder {
  private readonly table: Header[] = []; // newest first
  private size = 0;
  private maxSize: number;

  /** `limit`: the SETTINGS_HEADER_TABLE_SIZE this side advertised (the most a size update may ask). */
  constructor(private readonly limit = 4096) {
    this.maxSize = limit;
  }

  private entry(index: number): Header {
    if (index === 0) throw new HpackError('index 0');
    if (index <= STATIC.length) return STATIC[index - 1];
    const e = this.table[index - STATIC.length - 1];
    if (!e) throw new HpackError(`index ${index} past the dynamic table`);
    return e;
  }

  private insert(h: Header): void {
    const size = h[0].length + h[1].length + 32;
    this.table.unshift(h);
    this.size += size;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize && this.table.length > 0) {
      const [n, v] = this.table.pop()!;
      this.size -= n.length + v.length + 32;
    }
  }

  decode(buf: Buffer): Header[] {
    const out: Header[] = [];
    const r = new Reader(buf, buf.length);
    while (r.pos < r.end) {
      const b = buf[r.pos];
      if (b & 0x80) {
        out.push(this.entry(r.int(7))); // indexed
      } else if ((b & 0xe0) === 0x20) {
        // A dynamic table size update.
        const size = r.int(5);
        if (size > this.limit) throw new HpackError(`a table size of ${size} over ${this.limit}`);
        this.maxSize = size;
        this.evict();
      } else {
        // A literal: with incremental indexing (01), without (0000), never indexed (0001).
        const indexing = (b & 0xc0) === 0x40;
        const i = r.int(indexing ? 6 : 4);
        const name = i === 0 ? r.string() : this.entry(i)[0];
        const h: Header = [name, r.string()];
        if (indexing) this.insert(h);
        out.push(h);
      }
    }
    return out;
  }
}

/** Headers whose values change with every call: indexing them would only churn the table. */
const VOLATILE = new Set(['grpc-timeout', 'content-length', 'date']);
/** Longer values go as literals (a grpc-message that says what went wrong, a long token). */
const MAX_INDEXED_VALUE = 64;

/** An HPACK integer with an N-bit prefix, at buf[pos]; returns the next position. */
function putInt(buf: Buffer, pos: number, value: number, prefixBits: number, first: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    buf[pos++] = first | value;
    return pos;
  }
  buf[pos++] = first | max;
  value -= max;
  while (value >= 128) {
    buf[pos++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}

function putString(buf: Buffer, pos: number, text: string): number {
  pos = putInt(buf, pos, text.length, 7, 0x00);
  return pos + buf.write(text, pos, 'latin1');
}

/** The most bytes encode() can take for `headers`. */
export function encodedBound(headers: readonly Header[]): number {
  let room = 8;
  for (const h of headers) room += h[0].length + h[1].length + 12;
  return room;
}

interface Entry {
  name: string;
  value: string;
  size: number;
  n: number;
}

/**
 * One connection direction's encoder, with a dynamic table mirrored from what the peer's decoder
 * holds: a header sent before is one byte the next time (nghttp2 does the same, and a peer decodes
 * an index far faster than a literal). Values that change per call (grpc-timeout ...) and long
 * ones go as literals without indexing; nothing is Huffman-coded (bytes on loopback are cheap).
 */
export class HpackEncoder {
  /** name -> value -> the absolute number of its insertion; name -> its latest insertion. */
  private readonly pairs = new Map<string, Map<string, number>>();
  private readonly names = new Map<string, number>();
  private readonly entries: Entry[] = []; // oldest first
  private inserted = 0;
  private size = 0;
  private maxSize = 4096;
  private sizeUpdate = false;

  /** The peer's SETTINGS_HEADER_TABLE_SIZE: the table shrinks to it (at most 4096), said at the next block's start. */
  setPeerLimit(limit: number): void {
    const next = Math.min(limit, 4096);
    if (next === this.maxSize) return;
    this.maxSize = next;
    this.sizeUpdate = true;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize && this.entries.length > 0) {
      const e = this.entries.shift()!;
      this.size -= e.size;
      const values = this.pairs.get(e.name);
      if (values?.get(e.value) === e.n) values.delete(e.value);
      if (this.names.get(e.name) === e.n) this.names.delete(e.name);
    }
  }

  /** The HPACK index of insertion number n, now. */
  private index(n: number): number {
    return STATIC.length + 1 + this.inserted - n; // the newest is 62
  }

  encode(headers: readonly Header[]): Buffer {
    const out = Buffer.allocUnsafe(encodedBound(headers));
    return out.subarray(0, this.encodeInto(headers, out, 0));
  }

  /** Encodes `headers` into `buf` from `pos` (room for encodedBound() bytes); returns where it ended. */
  encodeInto(headers: readonly Header[], buf: Buffer, pos: number): number {
    if (this.sizeUpdate) {
      pos = putInt(buf, pos, this.maxSize, 5, 0x20);
      this.sizeUpdate = false;
    }
    for (const h of headers) {
      const n = h[0];
      const v = h[1];
      const stat = STATIC_PAIR.get(n)?.get(v);
      if (stat !== undefined) {
        pos = putInt(buf, pos, stat, 7, 0x80);
        continue;
      }
      const dyn = this.pairs.get(n)?.get(v);
      if (dyn !== undefined) {
        pos = putInt(buf, pos, this.index(dyn), 7, 0x80);
        continue;
      }
      const size = n.length + v.length + 32;
      const indexing = !VOLATILE.has(n) && v.length <= MAX_INDEXED_VALUE && size <= this.maxSize;
      const dynName = this.names.get(n);
      const nameIndex = STATIC_NAME.get(n) ?? (dynName !== undefined ? this.index(dynName) : 0);
      pos = indexing ? putInt(buf, pos, nameIndex, 6, 0x40) : putInt(buf, pos, nameIndex, 4, 0x00);
      if (nameIndex === 0) pos = putString(buf, pos, n);
      pos = putString(buf, pos, v);
      if (indexing) {
        const e: Entry = { name: n, value: v, size, n: ++this.inserted };
        this.entries.push(e);
        let values = this.pairs.get(n);
        if (!values) this.pairs.set(n, (values = new Map()));
        values.set(v, e.n);
        this.names.set(n, e.n);
        this.size += size;
        this.evict();
      }
    }
    return pos;
  }
}
