// The router's HTTP/2 against peers that break the protocol, or push on its limits (written from a
// review of the frame-level relay). A corpus of malformed frames, sent by a raw-socket caller and by
// a raw-socket backend: each must end only that peer's connection (a GOAWAY with the RFC's error
// code), never the process, and the router must go on serving other callers. And the limits: a
// delayed call's deadline is cut from its own grpc-timeout however often the caller's encoder
// indexed it; callers that stop reading do not freeze a backend connection others share; a
// backend's SETTINGS_MAX_CONCURRENT_STREAMS is kept. Frames cut anywhere across reads arrive whole;
// a call made while its backend connects waits for it, and one whose caller leaves meanwhile is
// counted CANCELLED by no backend.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { h2Backend } from '../helpers/h2-backend.js';
import { GrpcRouter } from '../../src/router/grpc-router.js';
import { HpackEncoder } from '../../src/h2/hpack.js';

setupLab();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const GRPC = { ':method': 'POST', ':path': '/lab.T/M', 'content-type': 'application/grpc', te: 'trailers' };
const E = { PROTOCOL: 1, FLOW_CONTROL: 3, FRAME_SIZE: 6, COMPRESSION: 9 };

function frame(type: number, flags: number, id: number, payload: Buffer | number[] = []): Buffer {
  const p = Buffer.from(payload as Buffer);
  const h = Buffer.alloc(9);
  h.writeUIntBE(p.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(id, 5);
  return Buffer.concat([h, p]);
}
const u32 = (...v: number[]) => Buffer.concat(v.map((x) => Buffer.from([x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255])));
const setting = (id: number, v: number) => Buffer.concat([Buffer.from([0, id]), u32(v)]);
const SETTINGS = frame(4, 0, 0);

/** Frames after the preface and an empty SETTINGS; each must draw a GOAWAY with `code`. */
const CALLER_CASES: Array<{ name: string; bytes: Buffer; code: number }> = [
  { name: 'a WINDOW_UPDATE of 2 bytes', bytes: frame(8, 0, 0, [0, 1]), code: E.FRAME_SIZE },
  { name: 'a GOAWAY of 4 bytes', bytes: frame(7, 0, 0, u32(0)), code: E.FRAME_SIZE },
  { name: 'a PING of 7 bytes', bytes: frame(6, 0, 0, Buffer.alloc(7)), code: E.FRAME_SIZE },
  { name: 'a SETTINGS of 5 bytes', bytes: frame(4, 0, 0, Buffer.alloc(5)), code: E.FRAME_SIZE },
  { name: 'a frame over 16,384 bytes', bytes: frame(0, 0, 1, Buffer.alloc(16_385)), code: E.FRAME_SIZE },
  { name: 'SETTINGS_MAX_FRAME_SIZE 0', bytes: frame(4, 0, 0, setting(5, 0)), code: E.PROTOCOL },
  { name: 'SETTINGS_INITIAL_WINDOW_SIZE 2^31', bytes: frame(4, 0, 0, setting(4, 2 ** 31)), code: E.FLOW_CONTROL },
  { name: 'a WINDOW_UPDATE of 0 on the connection', bytes: frame(8, 0, 0, u32(0)), code: E.PROTOCOL },
  { name: 'a WINDOW_UPDATE past 2^31-1 on the connection', bytes: frame(8, 0, 0, u32(2 ** 31 - 1)), code: E.FLOW_CONTROL },
  { name: 'DATA on stream 0', bytes: frame(0, 0, 0, [1, 2]), code: E.PROTOCOL },
  { name: 'SETTINGS on stream 1', bytes: frame(4, 0, 1), code: E.PROTOCOL },
  { name: 'a PUSH_PROMISE (push is off)', bytes: frame(5, 4, 1, u32(2)), code: E.PROTOCOL },
  { name: 'a CONTINUATION with no HEADERS', bytes: frame(9, 4, 1, [0x82]), code: E.PROTOCOL },
  { name: 'a header block naming an index past the tables', bytes: frame(1, 5, 1, [0xc6]), code: E.COMPRESSION },
  { name: 'a Huffman string with bad padding', bytes: frame(1, 5, 1, [0x00, 0x01, 0x78, 0x81, 0xfe]), code: E.COMPRESSION },
  { name: 'a header block cut by another frame', bytes: Buffer.concat([frame(1, 0, 1, [0x82]), frame(6, 0, 0, Buffer.alloc(8))]), code: E.PROTOCOL },
];

/** A seeded generator (mulberry32): a failing cut can be played again from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * `bytes` in pieces, cut at random places and always inside the first frame's 9-byte header, so
 * that the router reads them one piece at a time (each written after a pause).
 */
function cuts(bytes: Buffer, seed: number, pieces = 8): Buffer[] {
  const rnd = random(seed);
  const at = new Set<number>([PREFACE.length + SETTINGS.length + 4]);
  while (at.size < pieces) at.add(1 + Math.floor(rnd() * (bytes.length - 1)));
  const sorted = [...at].filter((x) => x > 0 && x < bytes.length).sort((a, b) => a - b);
  return [0, ...sorted].map((from, i) => bytes.subarray(from, sorted[i] ?? bytes.length));
}

async function writeInPieces(socket: net.Socket, pieces: Buffer[]): Promise<void> {
  for (const p of pieces) {
    if (socket.destroyed) return;
    socket.write(p);
    await sleep(2);
  }
}

/** A socket 'data' listener that calls `onFrame` once for each whole frame the router sent. */
function framesOf(onFrame: (type: number, flags: number, payload: Buffer) => void): (d: Buffer) => void {
  let got = Buffer.alloc(0);
  return (d) => {
    got = Buffer.concat([got, d]);
    let at = 0;
    for (; at + 9 <= got.length;) {
      const len = got.readUIntBE(at, 3);
      if (at + 9 + len > got.length) break;
      onFrame(got[at + 3], got[at + 4], got.subarray(at + 9, at + 9 + len));
      at += 9 + len;
    }
    got = got.subarray(at);
  };
}

/** Sends `bytes` as a caller; resolves with the GOAWAY's error code (or -1) once the router closes the socket. */
function rawCaller(port: number, bytes: Buffer, seed?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const all = Buffer.concat([PREFACE, SETTINGS, bytes]);
    const socket = net.connect(port, '127.0.0.1', () => void (seed === undefined ? socket.write(all) : writeInPieces(socket, cuts(all, seed))));
    let code = -1;
    socket.on(
      'data',
      framesOf((type, _flags, payload) => {
        if (type === 7) code = payload.readUInt32BE(4);
      }),
    );
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(code));
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the router kept the connection open 3 s after a malformed frame'));
    }, 3000).unref();
  });
}

/** One call from a fresh node:http2 caller; resolves with its grpc-status and the response headers. */
async function call(
  port: number,
  headers: http2.OutgoingHttpHeaders = GRPC,
  timeoutMs = 5000,
): Promise<{ status?: string; trailers: http2.IncomingHttpHeaders }> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  try {
    const req = session.request(headers);
    req.on('error', () => undefined);
    req.end(Buffer.alloc(5));
    req.resume();
    return await new Promise((resolve, reject) => {
      let trailers: http2.IncomingHttpHeaders = {};
      req.on('response', (h) => h['grpc-status'] !== undefined && (trailers = h));
      req.on('trailers', (t) => (trailers = t));
      req.on('close', () => resolve({ status: trailers['grpc-status'] as string | undefined, trailers }));
      setTimeout(() => reject(new Error(`no end within ${timeoutMs} ms`)), timeoutMs).unref();
    });
  } finally {
    session.close();
  }
}

const ok = (s: http2.ServerHttp2Stream) => {
  s.resume();
  s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0' }, { endStream: true });
};

describe('malformed frames from a caller end its connection, not the router (a corpus)', () => {
  let b: Awaited<ReturnType<typeof h2Backend>>;
  let router: GrpcRouter;
  let port: number;
  before(async () => {
    b = await h2Backend(ok);
    router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${b.address}`, 'pick_first')]);
    port = await router.listen('127.0.0.1', 0);
  });
  after(async () => {
    await router.close();
    b.stop();
  });
  for (const c of CALLER_CASES)
    it(`${c.name}: GOAWAY ${c.code}, and the next caller is served; the same cut across reads`, async () => {
      assert.equal(await rawCaller(port, c.bytes), c.code);
      assert.equal((await call(port)).status, '0');
      for (const seed of [1, 2, 3]) assert.equal(await rawCaller(port, c.bytes, seed), c.code, `cut with seed ${seed}`);
      assert.equal((await call(port)).status, '0');
    });
  it('bytes that are not HTTP/2: the connection is closed, the next caller is served', async () => {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      s.on('error', () => undefined);
      s.on('close', () => resolve());
      s.resume();
    });
    assert.equal((await call(port)).status, '0');
  });
});

describe('frames cut anywhere across reads', () => {
  it('20 calls whose bytes arrive in random pieces (inside frame headers, header blocks, DATA): every body reaches the backend whole, every caller gets its answer', async () => {
    const bodies = new Map<string, string>();
    const b = await h2Backend((s, h) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => {
        bodies.set(String(h[':path']), Buffer.concat(parts).toString('hex'));
        ok(s);
      });
    });
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${b.address}`, 'pick_first')]);
    const port = await router.listen('127.0.0.1', 0);
    try {
      for (const seed of [11, 12, 13, 14, 15]) {
        bodies.clear();
        const rnd = random(seed);
        const enc = new HpackEncoder();
        const frames: Buffer[] = [];
        const sent = new Map<string, string>();
        for (let i = 0; i < 4; i++) {
          const id = 2 * i + 1;
          const path = `/lab.T/M${seed}-${i}`;
          const block = enc.encode([
            [':method', 'POST'],
            [':scheme', 'http'],
            [':path', path],
            [':authority', 'x'],
            ['content-type', 'application/grpc'],
            ['te', 'trailers'],
          ]);
          // The header block as HEADERS plus a CONTINUATION; the body in two DATA frames.
          const half = Math.floor(block.length / 2);
          frames.push(frame(1, 0, id, block.subarray(0, half)), frame(9, 4, id, block.subarray(half)));
          const body = Buffer.from(Array.from({ length: 5 + Math.floor(rnd() * 3000) }, () => Math.floor(rnd() * 256)));
          sent.set(path, body.toString('hex'));
          const split = Math.floor(body.length / 3);
          frames.push(frame(0, 0, id, body.subarray(0, split)), frame(0, 1, id, body.subarray(split)));
        }
        const all = Buffer.concat([PREFACE, SETTINGS, ...frames]);
        const ends = await new Promise<number>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => void writeInPieces(socket, cuts(all, seed, 40)));
          let ended = 0;
          socket.on(
            'data',
            framesOf((type, flags, payload) => {
              if ((type === 1 || type === 0) && flags & 1) ended++;
              if (type === 7) reject(new Error(`GOAWAY ${payload.readUInt32BE(4)} with seed ${seed}`));
              if (ended === 4) {
                socket.destroy();
                resolve(ended);
              }
            }),
          );
          socket.on('error', reject);
          setTimeout(() => reject(new Error(`${ended} of 4 answers within 5 s, seed ${seed}`)), 5000).unref();
        });
        assert.equal(ends, 4);
        assert.deepEqual(new Map([...bodies].sort()), new Map([...sent].sort()), `seed ${seed}`);
      }
    } finally {
      await router.close();
      b.stop();
    }
  });
});

describe('calls that wait for a backend to come up', () => {
  it('a call made while the only backend is still connecting waits and is served; one whose caller leaves first is counted CANCELLED, by no backend', async () => {
    const b = await h2Backend(ok);
    const [host, backendPort] = b.address.split(':');
    // A TCP front that holds each connection 400 ms before it joins it to the backend.
    const front = net.createServer((c) => {
      c.on('error', () => undefined);
      c.pause();
      setTimeout(() => {
        const up = net.connect(Number(backendPort), host, () => {
          c.pipe(up).pipe(c);
          c.resume();
        });
        up.on('error', () => c.destroy());
      }, 400);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:127.0.0.1:${(front.address() as net.AddressInfo).port}`, 'pick_first')]);
    const seen: Array<{ backend: string; code: number }> = [];
    router.observe((c) => seen.push({ backend: c.backend, code: c.code }));
    const port = await router.listen('127.0.0.1', 0);
    try {
      // The caller that leaves: its stream reset (CANCEL) 100 ms in, while the backend is still connecting.
      const session = http2.connect(`http://127.0.0.1:${port}`);
      session.on('error', () => undefined);
      const leaving = session.request(GRPC);
      leaving.on('error', () => undefined);
      leaving.end(Buffer.alloc(5));
      setTimeout(() => leaving.close(http2.constants.NGHTTP2_CANCEL), 100);
      const t0 = performance.now();
      const served = await call(port);
      assert.equal(served.status, '0');
      assert.ok(performance.now() - t0 >= 350, 'it waited for the backend');
      session.close();
      await sleep(100);
      assert.deepEqual(seen.map((x) => `${x.backend === '(none)' ? '(none)' : 'backend'} ${x.code}`).sort(), ['(none) 1', 'backend 0']);
    } finally {
      await router.close();
      front.close();
      b.stop();
    }
  });
});

describe('malformed frames from a backend end its connection, not the router', () => {
  it('SETTINGS_MAX_FRAME_SIZE 0 from a backend: the call gets UNAVAILABLE, the router lives', async () => {
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.write(frame(4, 0, 0, setting(5, 0))));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:127.0.0.1:${(server.address() as net.AddressInfo).port}`, 'pick_first')]);
    const port = await router.listen('127.0.0.1', 0);
    try {
      assert.equal((await call(port)).status, '14');
    } finally {
      await router.close();
      server.close();
    }
  });
});

describe('the router at its limits', () => {
  it('a delayed call’s deadline is cut from its own grpc-timeout, however often the caller’s encoder indexed the header', async () => {
    const seen: string[] = [];
    const b = await h2Backend((s, h) => {
      seen.push(String(h['grpc-timeout']));
      ok(s);
    });
    const router = new GrpcRouter(
      [GrpcRouter.route('*', `ipv4:${b.address}`, 'pick_first')],
      {},
      { faults: [{ method: '*', delay: { ms: 100, percent: 100 } }] },
    );
    const port = await router.listen('127.0.0.1', 0);
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    try {
      for (let i = 0; i < 6; i++) {
        // One connection, the same value each time: nghttp2 indexes it, and the router's decoder hands back its table's entry.
        const req = session.request({ ...GRPC, 'grpc-timeout': '5000m' });
        req.end(Buffer.alloc(5));
        req.resume();
        await new Promise((r) => req.on('close', r));
      }
      assert.equal(seen.length, 6);
      for (const t of seen) assert.ok(Number.parseInt(t, 10) >= 4800 && Number.parseInt(t, 10) <= 4900, `grpc-timeout ${t} at the backend: ${seen.join(', ')}`);
    } finally {
      session.destroy();
      await router.close();
      b.stop();
    }
  });

  it('twenty callers that stop reading 4 MiB streams (more than the backend connection’s 16 MiB window) do not freeze the connection a 21st shares', async () => {
    const b = await h2Backend((s, h) => {
      s.resume();
      // Both answers carry DATA (flow-controlled, unlike a trailers-only answer).
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
      s.end(Buffer.alloc(h[':path'] === '/lab.T/Big' ? 4 << 20 : 5));
    });
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${b.address}`, 'pick_first')]);
    const port = await router.listen('127.0.0.1', 0);
    const stalled: http2.ClientHttp2Session[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const s = http2.connect(`http://127.0.0.1:${port}`);
        s.on('error', () => undefined);
        const req = s.request({ ...GRPC, ':path': '/lab.T/Big' });
        req.on('error', () => undefined);
        req.end(Buffer.alloc(5));
        req.pause(); // never read
        stalled.push(s);
      }
      await sleep(500); // the backend sends what the windows take
      assert.equal((await call(port, GRPC, 3000)).status, '0');
    } finally {
      for (const s of stalled) s.destroy();
      await router.close(100);
      b.stop();
    }
  });

  it('a backend’s SETTINGS_MAX_CONCURRENT_STREAMS (2): 10 calls at once all served, never more than 2 open on it', async () => {
    let open = 0;
    let most = 0;
    const b = await h2Backend(
      (s) => {
        open++;
        most = Math.max(most, open);
        setTimeout(() => {
          open--;
          ok(s);
        }, 50);
      },
      { maxConcurrentStreams: 2 },
    );
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${b.address}`, 'pick_first')]);
    const port = await router.listen('127.0.0.1', 0);
    try {
      const results = await Promise.all(Array.from({ length: 10 }, () => call(port)));
      assert.deepEqual(
        results.map((r) => r.status),
        Array(10).fill('0'),
      );
      assert.ok(most <= 2, `the backend saw ${most} streams at once`);
    } finally {
      await router.close();
      b.stop();
    }
  });
});
