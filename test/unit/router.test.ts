// The gRPC router with real grpc-js on both sides (echo servers in this process): unary and the three
// streaming kinds pass through byte-exact (compared with a direct call to the same backend, as raw
// bytes), headers and status too; unknown services get UNIMPLEMENTED from the router, a dead
// upstream UNAVAILABLE; the caller's deadline reaches the upstream; requests are balanced one by one.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { GrpcRouter, percentEncode } from '../../src/router/grpc-router.js';
import { timeoutMs } from '../../src/h2/index.js';
import { startFleet, type Fleet } from '../helpers/echo-fleet.js';

setupLab();

const ECHO = '/grpc.examples.echo.Echo';
const id = (b: Buffer) => b;
/** EchoRequest { message } as protobuf bytes, by hand: field 1, length-delimited (under 128 bytes). */
const req = (message: string) => Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(message)]), Buffer.from(message)]);

interface Raw {
  messages: Buffer[];
  headers: Record<string, unknown>;
  code: number;
  details: string;
}

/** One call of any kind as raw bytes: send these messages, collect what comes back. */
function rawCall(client: Client, method: string, messages: Buffer[], opts: { deadlineMs?: number; metadata?: Metadata } = {}): Promise<Raw> {
  return new Promise((resolve) => {
    const out: Raw = { messages: [], headers: {}, code: -1, details: '' };
    const call = client.makeBidiStreamRequest(
      `${ECHO}/${method}`,
      id,
      id,
      opts.metadata ?? new Metadata(),
      opts.deadlineMs ? { deadline: Date.now() + opts.deadlineMs } : {},
    );
    call.on('metadata', (md: Metadata) => (out.headers = md.getMap()));
    call.on('data', (m: Buffer) => out.messages.push(m));
    call.on('error', () => undefined);
    call.on('status', (st) => {
      out.code = st.code;
      out.details = st.details;
      resolve(out);
    });
    for (const m of messages) call.write(m);
    call.end();
  });
}

describe('gRPC router (seed 003)', () => {
  let fleet: Fleet;
  let router: GrpcRouter;
  let pinned: GrpcRouter;
  let viaRouter: Client;
  let viaPinned: Client;
  let direct: Client;

  before(async () => {
    fleet = await startFleet(3);
    // One router balancing over all three; one pinned to echo-1 for byte-exact comparisons.
    router = new GrpcRouter([
      GrpcRouter.route('grpc.examples.echo.Echo', fleet.target(), 'round_robin'),
      GrpcRouter.route('lab.dead.v1.Nowhere', 'ipv4:127.0.0.1:1', 'pick_first'),
    ]);
    pinned = new GrpcRouter([GrpcRouter.route('*', fleet.target([0]), 'pick_first')]);
    viaRouter = new Client(`127.0.0.1:${await router.listen('127.0.0.1', 0)}`, credentials.createInsecure());
    viaPinned = new Client(`127.0.0.1:${await pinned.listen('127.0.0.1', 0)}`, credentials.createInsecure());
    direct = new Client(fleet.servers[0].address, credentials.createInsecure());
  });
  after(async () => {
    for (const c of [viaRouter, viaPinned, direct]) c.close();
    await Promise.all([router.close(), pinned.close()]);
    await fleet.stop();
  });

  for (const [method, messages] of [
    ['UnaryEcho', [req('hello')]],
    ['ServerStreamingEcho', [req('s')]],
    ['ClientStreamingEcho', [req('a'), req('b'), req('c')]],
    ['BidirectionalStreamingEcho', [req('x'), req('y'), req(''), req('z'.repeat(120))]],
  ] as Array<[string, Buffer[]]>) {
    it(`${method} passes through byte-exact, with its headers and status`, async () => {
      const a = await rawCall(direct, method, messages);
      const b = await rawCall(viaPinned, method, messages);
      assert.equal(a.code, status.OK);
      assert.ok(a.messages.length >= 1);
      assert.deepEqual(
        b.messages.map((m) => m.toString('hex')),
        a.messages.map((m) => m.toString('hex')),
      );
      assert.deepEqual([b.code, b.details], [a.code, a.details]);
      assert.deepEqual(b.headers['x-lab-backend'], a.headers['x-lab-backend']);
    });
  }

  it('passes metadata to the upstream and an error status (code and message) back', async () => {
    await fleet.setFault(0, { errorRate: 1, errorCode: status.RESOURCE_EXHAUSTED });
    try {
      const md = new Metadata();
      md.set('x-lab-key', 'k1');
      md.set('trace-bin', Buffer.from([1, 2, 3]));
      const a = await rawCall(direct, 'UnaryEcho', [req('x')], { metadata: md });
      const b = await rawCall(viaPinned, 'UnaryEcho', [req('x')], { metadata: md });
      assert.equal(a.code, status.RESOURCE_EXHAUSTED);
      assert.deepEqual([b.code, b.details], [a.code, a.details]);
    } finally {
      await fleet.setFault(0, {});
    }
  });

  it('balances each request on its own (one connection from the caller, every backend used)', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const r = await rawCall(viaRouter, 'UnaryEcho', [req('who')]);
      const who = String(r.headers['x-lab-backend']);
      seen.set(who, (seen.get(who) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ['echo-1', 'echo-2', 'echo-3']);
    for (const n of seen.values()) assert.ok(n >= 8 && n <= 12, JSON.stringify([...seen]));
  });

  it("balances with the lab's policies too (least_request: the same choose() a client's channel runs), and says whose balancer it runs", async () => {
    const lr = new GrpcRouter([GrpcRouter.route('*', fleet.target(), 'least_request')]);
    const c = new Client(`127.0.0.1:${await lr.listen('127.0.0.1', 0)}`, credentials.createInsecure());
    try {
      assert.equal(lr.balancerOf(GrpcRouter.route('*', fleet.target(), 'least_request')), "least_request (the lab's)");
      assert.equal(router.balancerOf(GrpcRouter.route('grpc.examples.echo.Echo', fleet.target())), "round_robin (the router's own)");
      await rawCall(c, 'UnaryEcho', [req('warm')]); // the router dials all three; let them come up
      await new Promise((r) => setTimeout(r, 300));
      // 30 at once: least_request spreads calls in flight over the three.
      const rs = await Promise.all(Array.from({ length: 30 }, () => rawCall(c, 'UnaryEcho', [req('lr')])));
      const seen = new Set(rs.map((r) => String(r.headers['x-lab-backend'])));
      assert.deepEqual([...seen].sort(), ['echo-1', 'echo-2', 'echo-3']);
      assert.equal(
        Object.values(lr.stats.byBackend).reduce((n, b) => n + b.calls, 0),
        31,
      );
    } finally {
      c.close();
      await lr.close();
    }
  });

  it("refuses a balancer only a client's channel can run, and a wrapper of one, with what it can run", () => {
    assert.throws(
      () => new GrpcRouter([GrpcRouter.route('*', fleet.target(), 'weighted_round_robin')]),
      /"weighted_round_robin" runs only in a client's channel/,
    );
    assert.throws(() => new GrpcRouter([GrpcRouter.route('*', fleet.target(), 'health_checked')]), /wraps a channel's balancer/);
    assert.throws(() => new GrpcRouter([GrpcRouter.route('*', fleet.target(), { wrr_smooth: { bogus: 1 } })]), /unknown option "bogus"/);
  });

  it('answers UNIMPLEMENTED itself for a service it has no route for', async () => {
    const c = await new Promise<ServiceError>((resolve) =>
      viaRouter.makeUnaryRequest('/grpc.health.v1.Health/Check', id, id, Buffer.alloc(0), (err) => resolve(err!)),
    );
    assert.equal(c.code, status.UNIMPLEMENTED);
    assert.match(c.details, /no route for grpc\.health\.v1\.Health/);
  });

  it('gives UNAVAILABLE when the upstream is dead', async () => {
    const c = await new Promise<ServiceError>((resolve) =>
      viaRouter.makeUnaryRequest('/lab.dead.v1.Nowhere/Call', id, id, Buffer.alloc(0), { deadline: Date.now() + 5000 }, (err) => resolve(err!)),
    );
    assert.equal(c.code, status.UNAVAILABLE);
  });

  it('honours the caller’s deadline (grpc-timeout): a slow upstream call ends in DEADLINE_EXCEEDED and is cancelled upstream', async () => {
    await fleet.setFault(0, { latencyMs: 1000 });
    try {
      const t0 = Date.now();
      const r = await rawCall(viaPinned, 'UnaryEcho', [req('slow')], { deadlineMs: 200 });
      assert.equal(r.code, status.DEADLINE_EXCEEDED);
      assert.ok(Date.now() - t0 < 900, 'not the upstream’s full second');
    } finally {
      await fleet.setFault(0, {});
    }
  });

  it('reads grpc-timeout and percent-encodes grpc-message exactly', () => {
    assert.equal(timeoutMs('100m'), 100);
    assert.equal(timeoutMs('5S'), 5000);
    assert.equal(timeoutMs('2M'), 120_000);
    assert.equal(timeoutMs('7'), undefined);
    assert.equal(percentEncode('echo-1: 100% down ✖'), 'echo-1: 100%25 down %E2%9C%96');
  });
});
