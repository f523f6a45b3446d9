// The link proxy with real sockets: idle it changes nothing a client sees; each fault does what it
// says (latency within ±20%, bandwidth, blackhole, reset, slow close).
import assert from 'node:assert/strict';
import path from 'node:path';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { configFromEnv } from '../../src/echo/config.js';
import { startEcho, type RunningEcho } from '../../src/echo/server.js';
import { LinkProxy } from '../../src/echo/link/link-proxy.js';
import { EchoControl, echoClient, type EchoClient } from '../../src/grpc/index.js';
import { unaryEcho } from '../helpers/grpc.js';
import { ROOT } from '../helpers/lab.js';

/** A raw TCP upstream: echoes bytes back, or sends `burst` bytes and closes when asked. */
async function tcpUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d: Buffer) => {
      const text = d.toString();
      if (text.startsWith('burst:')) {
        s.end(Buffer.alloc(Number(text.slice(6)), 120));
      } else s.write(d);
    });
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

async function dial(port: number): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  await once(s, 'connect');
  return s;
}

/** Round trip of one small message through an echoing upstream, in ms. */
async function roundTrip(s: Socket, msg = 'ping'): Promise<number> {
  const t0 = performance.now();
  s.write(msg);
  let got = '';
  while (got.length < msg.length) got += ((await once(s, 'data')) as [Buffer])[0].toString();
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('link proxy (raw TCP)', () => {
  let up: { server: Server; port: number };
  let proxy: LinkProxy;
  let port: number;
  const sockets: Socket[] = [];
  const open = async () => {
    const s = await dial(port);
    sockets.push(s);
    return s;
  };

  before(async () => {
    up = await tcpUpstream();
    proxy = new LinkProxy({ host: '127.0.0.1', port: up.port });
    port = await proxy.listen('127.0.0.1', 0);
  });
  afterEach(() => {
    proxy.set(undefined);
    for (const s of sockets.splice(0)) s.destroy();
  });
  after(async () => {
    proxy.close();
    await new Promise((r) => up.server.close(r));
  });

  it('passes bytes through unchanged when idle, both ways, and half-closes in order', async () => {
    const s = await open();
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.end(payload);
    await once(s, 'end');
    assert.ok(Buffer.concat(chunks).equals(payload), 'the echoed bytes are the bytes sent');
    const st = proxy.stats();
    assert.ok(st.bytesUp >= payload.length && st.bytesDown >= payload.length, JSON.stringify(st));
  });

  it('adds the asked latency to a round trip (±20%), in the asked direction only', async () => {
    const s = await open();
    await roundTrip(s);
    const bs: number[] = [];
    for (let i = 0; i < 5; i++) bs.push(await roundTrip(s));
    const base = median(bs);
    proxy.set({ latencyMs: 80 });
    const xs: number[] = [];
    for (let i = 0; i < 7; i++) xs.push(await roundTrip(s));
    const added = median(xs) - base;
    assert.ok(added >= 64 && added <= 96, `round trip grew by ${added.toFixed(1)} ms for an asked 80 ms`);
    proxy.set({ latencyMs: 40, direction: 'both' });
    const ys: number[] = [];
    for (let i = 0; i < 5; i++) ys.push(await roundTrip(s));
    const both = median(ys) - base;
    assert.ok(both >= 64 && both <= 96, `40 ms both ways added ${both.toFixed(1)} ms to a round trip, not ~80`);
  });

  it('keeps byte order under jitter', async () => {
    proxy.set({ latencyMs: 20, jitterMs: 15 });
    const s = await open();
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    for (let i = 0; i < 50; i++) {
      s.write(`${String(i).padStart(3, '0')},`);
      await new Promise((r) => setTimeout(r, 2));
    }
    s.end();
    await once(s, 'end');
    const got = Buffer.concat(chunks).toString();
    assert.equal(got, Array.from({ length: 50 }, (_, i) => `${String(i).padStart(3, '0')},`).join(''));
  });

  it('limits bandwidth: 40 kB at 100 kB/s takes about 0.4 s', async () => {
    proxy.set({ bandwidthBps: 100_000 });
    const s = await open();
    let n = 0;
    s.on('data', (d: Buffer) => (n += d.length));
    const t0 = performance.now();
    s.write('burst:40000');
    await once(s, 'end');
    const ms = performance.now() - t0;
    assert.equal(n, 40_000);
    assert.ok(ms >= 320 && ms <= 600, `took ${ms.toFixed(0)} ms`);
  });

  it('blackhole: bytes vanish, the connection stays open; clearing lets new bytes through', async () => {
    const s = await open();
    await roundTrip(s);
    proxy.set({ blackhole: true, direction: 'both' });
    let got = 0;
    s.on('data', (d: Buffer) => (got += d.length));
    s.write('lost');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(got, 0, 'nothing came back');
    assert.equal(s.destroyed, false, 'the connection is still open');
    assert.equal(proxy.stats().connections, 1);
    assert.ok(proxy.stats().droppedBytes >= 4);
    proxy.set(undefined);
    s.removeAllListeners('data');
    assert.ok((await roundTrip(s, 'back')) < 100);
  });

  it('reset: open connections and new ones get a RST', async () => {
    const s = await open();
    await roundTrip(s);
    const err = once(s, 'error');
    proxy.set({ reset: true });
    assert.equal(((await err) as [NodeJS.ErrnoException])[0].code, 'ECONNRESET');
    const t = connect({ host: '127.0.0.1', port });
    sockets.push(t);
    const [e] = (await once(t, 'error').catch((x) => [x])) as [NodeJS.ErrnoException];
    assert.equal(e.code, 'ECONNRESET');
    assert.ok(proxy.stats().resets >= 2);
  });

  it('slow close: the backend FIN reaches the client after the asked delay, after the bytes', async () => {
    proxy.set({ slowCloseMs: 300 });
    const s = await open();
    let bytesAt = 0;
    s.on('data', () => (bytesAt ||= performance.now()));
    const t0 = performance.now();
    s.write('burst:10');
    await once(s, 'end');
    const endAt = performance.now() - t0;
    assert.ok(bytesAt - t0 < 150, `bytes arrived after ${bytesAt - t0} ms`);
    assert.ok(endAt >= 280, `the FIN arrived after ${endAt.toFixed(0)} ms`);
  });

  it('a dead upstream looks dead: the client is reset at once, not left hanging', async () => {
    const dead = new LinkProxy({ host: '127.0.0.1', port: 1 });
    const p = await dead.listen('127.0.0.1', 0);
    try {
      const s = connect({ host: '127.0.0.1', port: p });
      const t0 = performance.now();
      const ended = await Promise.race([once(s, 'error').then(([e]) => (e as NodeJS.ErrnoException).code), once(s, 'close').then(() => 'close')]);
      assert.ok(ended === 'ECONNRESET' || ended === 'close', String(ended));
      assert.ok(performance.now() - t0 < 500);
      s.destroy();
    } finally {
      dead.close();
    }
  });
});

describe('link proxy in the echo server (gRPC through it)', () => {
  let echo: RunningEcho;
  let viaLink: EchoClient;
  let direct: EchoClient;
  let control: EchoControl;

  before(async () => {
    const cfg = configFromEnv({ LAB_ID: 'echo-8', LAB_PORT: '0', LAB_BIND: '127.0.0.1', LAB_PROTO_DIR: path.join(ROOT, 'protos') });
    echo = await startEcho({ ...cfg, linkPort: await freePort() });
    viaLink = echoClient(`127.0.0.1:${echo.linkPort}`);
    direct = echoClient(`127.0.0.1:${echo.port}`);
    control = new EchoControl(`127.0.0.1:${echo.port}`);
  });
  after(async () => {
    viaLink.close();
    direct.close();
    control.close();
    await echo.stop(100);
  });

  const timeCall = async (c: EchoClient) => {
    const t0 = performance.now();
    await unaryEcho(c, 'x', 3000);
    return performance.now() - t0;
  };

  it('serves calls through the proxy, and SetLinkFault latency slows them by the asked amount ±20%', async () => {
    for (let i = 0; i < 5; i++) await timeCall(viaLink);
    const base: number[] = [];
    for (let i = 0; i < 9; i++) base.push(await timeCall(viaLink));
    const st = await control.setLinkFault({ latencyMs: 100 });
    assert.equal(st.link?.fault?.latencyMs, 100);
    const slow: number[] = [];
    for (let i = 0; i < 9; i++) slow.push(await timeCall(viaLink));
    const added = median(slow) - median(base);
    assert.ok(added >= 80 && added <= 120, `calls grew by ${added.toFixed(1)} ms for 100 ms asked`);
    // The control (direct) port is not behind the link.
    assert.ok((await timeCall(direct)) < 60);
  });

  it('a blackholed link gives DEADLINE_EXCEEDED through the proxy and nothing on the direct port', async () => {
    await control.setLinkFault({ blackhole: true, direction: 'both' });
    await assert.rejects(unaryEcho(viaLink, 'x', 400), (e: { code: number }) => e.code === status.DEADLINE_EXCEEDED);
    await unaryEcho(direct, 'x', 1000);
    await control.setLinkFault({});
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}
