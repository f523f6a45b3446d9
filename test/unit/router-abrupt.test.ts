// The router when one side ends abruptly: a corpus of ways a caller or a backend goes away, each
// at a different moment of a call (written from a review that found four of them wrong). For every
// case the same things must hold: the router's process lives on; the caller gets a gRPC status or
// a reset, never silence; the router holds no stream afterwards (close() with a long grace returns
// at once); and the router's series counts the call exactly once.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { describe, it } from 'node:test';
import { h2Backend } from '../helpers/h2-backend.js';
import { GrpcRouter, type RouterFault } from '../../src/router/grpc-router.js';

setupLab();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GRPC = { ':method': 'POST', ':path': '/lab.T/M', 'content-type': 'application/grpc', te: 'trailers' };
const { NGHTTP2_NO_ERROR } = http2.constants;

const trailersOnly = (s: http2.ServerHttp2Stream) => {
  s.resume();
  s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0' }, { endStream: true });
};

/** What the caller saw: a status (from headers or trailers), or a reset code, or nothing. */
interface Seen {
  status?: string;
  rst?: number;
  closed: boolean;
}

interface Case {
  name: string;
  backend: (s: http2.ServerHttp2Stream) => void;
  faults?: RouterFault[];
  settings?: http2.Settings;
  /** Drives one call as the caller; returns what it saw once it settles. */
  caller: (req: http2.ClientHttp2Stream, seen: Seen) => void | Promise<void>;
  /** What the caller must have seen. */
  expect: (seen: Seen) => void;
  /** The status the run's series records for the call; undefined: none (the caller retries it). */
  series: number | undefined;
}

const CASES: Case[] = [
  {
    name: 'the caller resets (NO_ERROR) during a delay fault, with bytes unread',
    backend: trailersOnly,
    faults: [{ method: '*', delay: { ms: 200, percent: 100 }, abort: { code: 14, percent: 100 } }],
    caller: async (req) => {
      req.write(Buffer.alloc(5));
      await sleep(50);
      req.close(NGHTTP2_NO_ERROR);
    },
    expect: (seen) => assert.equal(seen.closed, true),
    series: 1, // CANCELLED
  },
  {
    name: 'the caller’s deadline passes during a delay fault (it resets with CANCEL)',
    backend: trailersOnly,
    faults: [{ method: '*', delay: { ms: 400, percent: 100 } }],
    caller: async (req) => {
      req.end(Buffer.alloc(5));
      await sleep(100);
      req.close(http2.constants.NGHTTP2_CANCEL);
    },
    expect: (seen) => assert.equal(seen.closed, true),
    series: 1,
  },
  {
    name: 'the backend sends all, then its trailers, then its connection dies while the caller reads slowly',
    backend: (s) => {
      s.on('data', () => undefined);
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      const session = s.session!;
      s.on('wantTrailers', () => {
        s.sendTrailers({ 'grpc-status': '0' });
        setTimeout(() => session.destroy(), 100);
      });
      s.end(Buffer.alloc(512 << 10));
    },
    caller: (req) => {
      req.write(Buffer.alloc(5)); // a bidi caller: its side still open
      req.once('response', () => {
        req.pause();
        setTimeout(() => req.resume(), 500);
      });
    },
    // The router took the whole response and its trailers (its window is larger than the body)
    // before the connection died: nothing was lost, and the caller gets the backend's status.
    expect: (seen) => assert.equal(seen.status, '0'),
    series: 0,
  },
  {
    name: 'the backend’s connection dies mid-response, with most of the body not yet taken by the router',
    settings: { initialWindowSize: 16 << 10 },
    backend: (s) => {
      s.on('data', () => undefined);
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
      s.write(Buffer.alloc(1 << 20));
      const session = s.session!;
      setTimeout(() => session.destroy(), 100);
    },
    caller: (req) => {
      req.write(Buffer.alloc(5));
      req.once('response', () => {
        req.pause();
        setTimeout(() => req.resume(), 500);
      });
    },
    expect: (seen) => assert.equal(seen.status, '14', 'UNAVAILABLE: the rest of the body was lost'),
    series: 14,
  },
  {
    name: 'the backend answers early and resets (NO_ERROR) while the caller still streams its request',
    settings: { initialWindowSize: 16 << 10 },
    backend: (s) => {
      let got = 0;
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (got < 64 << 10 || s.headersSent) return;
        s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        s.on('wantTrailers', () => {
          s.sendTrailers({ 'grpc-status': '0' });
          setImmediate(() => s.close(NGHTTP2_NO_ERROR));
        });
        s.end(Buffer.alloc(5));
      });
    },
    caller: (req, seen) => {
      const pump = () => {
        while (!seen.status && req.write(Buffer.alloc(8 << 10)));
        if (!seen.status) req.once('drain', pump);
      };
      pump();
    },
    expect: (seen) => assert.equal(seen.status, '0'),
    series: 0,
  },
  {
    name: 'the backend resets the stream (REFUSED_STREAM) before answering',
    backend: (s) => s.close(http2.constants.NGHTTP2_REFUSED_STREAM),
    caller: (req) => void req.end(Buffer.alloc(5)),
    expect: (seen) => assert.equal(seen.rst, http2.constants.NGHTTP2_REFUSED_STREAM, 'relayed, so grpc-js retries it'),
    // Not a call that failed: grpc-js retries a refused stream by itself, and its retry is the call the series counts.
    series: undefined,
  },
  {
    name: 'the backend’s connection dies before it answers',
    backend: (s) => setTimeout(() => s.session?.destroy(), 50),
    caller: (req) => void req.end(Buffer.alloc(5)),
    expect: (seen) => assert.equal(seen.status, '14'),
    series: 14,
  },
];

describe('the router when a side ends abruptly (a corpus)', () => {
  for (const c of CASES)
    it(c.name, async () => {
      const b = await h2Backend(c.backend);
      const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${b.address}`, 'pick_first')], {}, { faults: c.faults, settings: c.settings });
      const calls: number[] = [];
      router.observe((call) => calls.push(call.code));
      const session = http2.connect(`http://127.0.0.1:${await router.listen('127.0.0.1', 0)}`);
      session.on('error', () => undefined);
      try {
        const seen: Seen = { closed: false };
        const req = session.request(GRPC, { endStream: false });
        req.on('error', () => undefined);
        // As grpc-js does: a status ends the call, and the caller half-closes if it had not.
        req.on('response', (h) => h['grpc-status'] !== undefined && (seen.status = String(h['grpc-status'])));
        req.on('trailers', (t) => {
          seen.status = String(t['grpc-status']);
          if (!req.writableEnded) req.end();
        });
        req.on('data', () => undefined);
        const closed = new Promise<void>((r) =>
          req.on('close', () => {
            seen.closed = true;
            if (req.rstCode) seen.rst = req.rstCode;
            r();
          }),
        );
        await c.caller(req, seen);
        await Promise.race([closed, sleep(5000)]);
        assert.equal(seen.closed, true, 'the caller’s stream ended (a status or a reset), within 5 s');
        c.expect(seen);
        await sleep(400); // a delay fault's timer finds a caller that left without a word (its stream says nothing)
        assert.deepEqual(calls, c.series === undefined ? [] : [c.series], 'the series counts the call once, with its status (a refused one not at all)');
        const t0 = Date.now();
        await router.close(5000);
        assert.ok(Date.now() - t0 < 1000, `close() waited ${Date.now() - t0} ms: the router still held the call`);
      } finally {
        session.destroy();
        await router.close(10);
        b.stop();
      }
    });

  it('a backend port that accepts and closes at once is dialled with a backoff, not in a loop', async () => {
    let accepted = 0;
    const server = net.createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${address}`, 'pick_first')]);
    const session = http2.connect(`http://127.0.0.1:${await router.listen('127.0.0.1', 0)}`);
    session.on('error', () => undefined);
    try {
      const status = await new Promise<string>((resolve) => {
        const req = session.request(GRPC, { endStream: true });
        req.on('error', () => undefined);
        req.on('response', (h) => resolve(String(h['grpc-status'])));
        req.resume();
      });
      assert.equal(status, '14');
      await sleep(2000);
      // 1 s backoff, ×1.6, ±20 %: at most 3 dials in 2 s (a loop made thousands).
      assert.ok(accepted <= 3, `dialled ${accepted} times in 2 s`);
      assert.equal(router.stats.byBackend[address]?.connections, accepted);
    } finally {
      session.destroy();
      await router.close(10);
      server.close();
    }
  });
});
