// The router's own HTTP/2 pieces: HPACK against RFC 7541's examples and as a round trip over every
// byte (a property test over random headers), its Huffman decoder against an encoder written here
// from the same table, the dynamic table kept in step with a real peer's encoder (nghttp2, in
// node:http2) over thousands of headers, and the whole relay driven by nghttp2's own h2load.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { h2Backend } from '../helpers/h2-backend.js';
import { GrpcRouter } from '../../src/router/grpc-router.js';
import { HpackDecoder, HpackEncoder, HpackError, type Header } from '../../src/h2/hpack.js';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from '../../src/h2/huffman-table.js';
import { tempDir } from '../helpers/lab.js';

setupLab();

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A Huffman string literal (H bit set) of `bytes`, encoded here from the RFC's table. */
function huffmanLiteral(bytes: Buffer): Buffer {
  let bits = 0n;
  let n = 0;
  for (const b of bytes) {
    bits = (bits << BigInt(HUFFMAN_LENGTHS[b])) | BigInt(HUFFMAN_CODES[b]);
    n += HUFFMAN_LENGTHS[b];
  }
  const pad = (8 - (n % 8)) % 8;
  bits = (bits << BigInt(pad)) | ((1n << BigInt(pad)) - 1n);
  const len = (n + pad) / 8;
  const body = Buffer.alloc(len);
  for (let i = len - 1; i >= 0; i--) {
    body[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return Buffer.concat([lengthPrefix(len, 0x80), body]);
}

function lengthPrefix(len: number, h: number): Buffer {
  if (len < 127) return Buffer.from([h | len]);
  const out = [h | 127];
  let v = len - 127;
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function randomHeaders(count: number): Header[] {
  const out: Header[] = [];
  for (let i = 0; i < count; i++) {
    const name = `x-${randomBytes(1 + (i % 9)).toString('hex')}`;
    const value = randomBytes(i % 300).toString('latin1');
    out.push([name, value]);
  }
  return out;
}

describe('HPACK', () => {
  it("decodes RFC 7541's request examples (C.3 plain, C.4 Huffman), with the dynamic table carried between blocks", () => {
    for (const blocks of [
      ['828684410f7777772e6578616d706c652e636f6d', '828684be58086e6f2d6361636865', '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565'],
      ['828684418cf1e3c2e5f23a6ba0ab90f4ff', '828684be5886a8eb10649cbf', '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf'],
    ]) {
      const d = new HpackDecoder();
      assert.deepEqual(d.decode(hex(blocks[0])), [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'www.example.com'],
      ]);
      assert.deepEqual(d.decode(hex(blocks[1])).at(-1), ['cache-control', 'no-cache']);
      assert.deepEqual(d.decode(hex(blocks[2])), [
        [':method', 'GET'],
        [':scheme', 'https'],
        [':path', '/index.html'],
        [':authority', 'www.example.com'],
        ['custom-key', 'custom-value'],
      ]);
    }
  });

  it('round trip: 300 random header lists (every byte value, names and values up to 300 bytes) come back as they went, the two tables in step', () => {
    for (const limit of [4096, 256, 0]) {
      const e = new HpackEncoder();
      e.setPeerLimit(limit);
      const d = new HpackDecoder();
      for (let i = 0; i < 300; i++) {
        // Some headers again and again (indexed after the first), some new (evicting), some volatile.
        const h: Header[] = [
          [':status', '200'],
          ['content-type', 'application/grpc'],
          ['x-lab-client', `c${i % 7}`],
          ...randomHeaders(1 + (i % 20)),
          ['grpc-status', String(i % 17)],
          ['grpc-timeout', `${i}m`],
        ];
        assert.deepEqual(d.decode(e.encode(h)), h, `list ${i}, table ${limit}`);
      }
    }
  });

  it('a header sent again is one byte: indexed from the dynamic table', () => {
    const e = new HpackEncoder();
    const h: Header[] = [
      ['x-lab-client', 'load-1'],
      ['user-agent', 'grpc-node-js/1.12'],
    ];
    const first = e.encode(h).length;
    assert.equal(e.encode(h).length, 2, `two headers, two bytes (the first time: ${first})`);
  });

  it('Huffman: 500 random strings (every byte value, up to 400 bytes) decode to what was encoded', () => {
    const d = new HpackDecoder();
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes(i % 400);
      // A literal without indexing, new name "x", Huffman value.
      const block = Buffer.concat([Buffer.from([0x00, 0x01, 0x78]), huffmanLiteral(bytes)]);
      assert.deepEqual(d.decode(block), [['x', bytes.toString('latin1')]]);
    }
  });

  it('refuses what a broken peer sends: a bad index, a truncated string, bad Huffman padding, a table larger than allowed', () => {
    for (const bad of ['ff00', '8a00'.slice(0, 2) + 'be', '0001', '0003787878', '00017881ff', '00017881fe', '3fe13f'])
      assert.throws(() => new HpackDecoder().decode(hex(bad)), HpackError, bad);
  });

  it('the dynamic table stays in step with nghttp2 (node:http2) over 400 requests of new header values, through the router', async () => {
    const backend = await h2Backend((s, h) => {
      s.resume();
      s.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-echo': String(h['x-value']), 'grpc-status': '0' }, { endStream: true });
    });
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${backend.address}`, 'pick_first')]);
    const rport = await router.listen('127.0.0.1', 0);
    const client = http2.connect(`http://127.0.0.1:${rport}`);
    try {
      for (let i = 0; i < 400; i++) {
        // Values of 40..240 bytes: the 4 KiB table evicts every few requests.
        const value = randomBytes(20 + (i % 100)).toString('hex');
        const req = client.request({ ':method': 'POST', ':path': '/lab.T/M', 'content-type': 'application/grpc', 'x-value': value });
        req.end(Buffer.alloc(5));
        const got = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
          req.on('response', resolve);
          req.on('error', reject);
        });
        req.resume();
        assert.equal(got['x-echo'], value, `request ${i}`);
      }
    } finally {
      client.close();
      await router.close();
      backend.stop();
    }
  });
});

describe("the router under nghttp2's h2load (a real HTTP/2 peer that is not Node's)", () => {
  it('every request of 2,000 (4 connections × 32 streams, 64 KiB bodies; h2load’s stream windows 1 KiB, the router’s 4 KiB) is relayed whole and answered', async () => {
    let bodies = 0;
    let bad = 0;
    const backend = await h2Backend((s) => {
      const hash = createHash('sha256');
      s.on('data', (d: Buffer) => hash.update(d));
      s.on('end', () => {
        bodies++;
        if (hash.digest('hex') !== expected) bad++;
        s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
        s.end(Buffer.alloc(16 << 10, 7));
      });
    });
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${backend.address}`, 'pick_first')], {}, { settings: { initialWindowSize: 4096 } });
    const rport = await router.listen('127.0.0.1', 0);
    const dir = tempDir('lab-h2load-');
    const bodyFile = path.join(dir, 'body');
    const body = randomBytes(64 << 10);
    const expected = createHash('sha256').update(body).digest('hex');
    writeFileSync(bodyFile, body);
    try {
      const r = await execa(
        'h2load',
        [
          '-n',
          '2000',
          '-c',
          '4',
          '-m',
          '32',
          '-w',
          '10',
          '-W',
          '16',
          '-d',
          bodyFile,
          '-H',
          'content-type: application/grpc',
          '-H',
          'te: trailers',
          `http://127.0.0.1:${rport}/lab.T/M`,
        ],
        { reject: false, timeout: 120_000 },
      );
      assert.match(r.stdout, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/, r.stdout + r.stderr);
      assert.equal(bodies, 2000, 'bodies the backend read');
      assert.equal(bad, 0, 'bodies that arrived changed');
      assert.equal(router.stats.byBackend[backend.address].calls, 2000);
    } finally {
      await router.close();
      backend.stop();
    }
  });
});
