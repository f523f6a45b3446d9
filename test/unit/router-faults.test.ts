// The router's gRPC faults in front of a server the lab did not write (gRPC C-core: Debian's
// python3-grpcio, test/fixtures/grpcio_server.py): an abort is a real status in trailers, a delay
// holds the call, a share is a share, the counters say what the router did, and calls the faults do
// not match reach the server untouched. Then the flags of `lab router` that set them.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { GrpcRouter } from '../../src/router/grpc-router.js';
import { CallFaults as RouterFaults } from '../../src/h2/call-faults.js';
import { parseFaults } from '../../src/cli/commands/router.js';
import { InputError } from '../../src/errors.js';
import { ROOT } from '../helpers/lab.js';
import { routerSeries } from '../../src/scenario/router-series.js';
import type { TrafficEvent } from '../../src/traffic/index.js';

setupLab();

const id = (b: Buffer) => b;

interface Answer {
  code: number;
  details: string;
  body?: Buffer;
  servedBy?: string;
  ms: number;
}

function call(client: Client, method: string, body = Buffer.from('hi')): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let servedBy: string | undefined;
    const c = client.makeUnaryRequest(method, id, id, body, new Metadata(), { deadline: Date.now() + 5000 }, (err: ServiceError | null, res?: Buffer) =>
      setImmediate(() => resolve({ code: err?.code ?? status.OK, details: err?.details ?? '', body: res, servedBy, ms: performance.now() - t0 })),
    );
    c.on('status', (st) => (servedBy = st.metadata.get('x-served-by')[0] as string | undefined));
  });
}

describe("the router's gRPC faults, in front of python3-grpcio", () => {
  let server: ChildProcess;
  let router: GrpcRouter;
  let client: Client;

  before(async () => {
    server = spawn('/usr/bin/python3', [path.join(ROOT, 'test/fixtures/grpcio_server.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      server.once('exit', (code) => reject(new Error(`the grpcio server exited (${code})`)));
    });
    router = new GrpcRouter(
      [GrpcRouter.route('*', `ipv4:127.0.0.1:${port}`, 'round_robin')],
      {},
      {
        faults: [
          { method: '/demo.Greeter/Fail', abort: { code: status.UNAVAILABLE, percent: 100 } },
          { method: '/demo.Greeter/Slow', delay: { ms: 300, percent: 100 } },
          { method: '/demo.Half/*', abort: { code: status.RESOURCE_EXHAUSTED, percent: 50 } },
        ],
      },
    );
    client = new Client(`127.0.0.1:${await router.listen('127.0.0.1', 0)}`, credentials.createInsecure());
  });
  after(async () => {
    client.close();
    await router.close();
    server.stdin!.end();
    if (server.exitCode === null) await new Promise((r) => server.once('exit', r));
  });

  it('a method without a fault reaches the server untouched', async () => {
    const a = await call(client, '/demo.Greeter/Hello', Buffer.from('untouched'));
    assert.equal(a.code, status.OK);
    assert.equal(a.body?.toString(), 'untouched');
    assert.equal(a.servedBy, 'grpcio', "the server's own trailers came through");
  });

  it('abort 100%: every call ends with the status, in trailers the caller reads, and never reaches the server', async () => {
    for (let i = 0; i < 5; i++) {
      const a = await call(client, '/demo.Greeter/Fail');
      assert.equal(a.code, status.UNAVAILABLE);
      assert.match(a.details, /aborted by the lab's router \(fault on \/demo\.Greeter\/Fail: 100% UNAVAILABLE\)/);
      assert.equal(a.servedBy, undefined);
    }
    assert.deepEqual(router.stats.faults['/demo.Greeter/Fail'], { calls: 5, aborted: 5, delayed: 0 });
  });

  it('delay 100%: the call is held 300 ms, then served', async () => {
    const a = await call(client, '/demo.Greeter/Slow');
    assert.equal(a.code, status.OK);
    assert.equal(a.servedBy, 'grpcio');
    assert.ok(a.ms >= 295, `held ${a.ms.toFixed(0)} ms`);
    assert.deepEqual(router.stats.faults['/demo.Greeter/Slow'], { calls: 1, aborted: 0, delayed: 1 });
  });

  it("the router's series (the view's and the report's client of its own): calls per backend address, its own answers under (none)", async () => {
    const events: TrafficEvent[] = [];
    let t = 0;
    const series = routerSeries({
      router,
      target: 'ipv4:grpcio',
      balancer: "round_robin (the router's own)",
      taken: new Set(['lab-router']),
      bucketMs: 60_000,
      now: () => t,
      feed: (e) => events.push(e),
    });
    series.start();
    for (const m of ['/demo.Greeter/Hello', '/demo.Greeter/Hello', '/demo.Greeter/Fail']) await call(client, m);
    t = 1000;
    series.stop();
    assert.equal(series.label.name, 'lab-router-2', 'a name no client of the scenario has');
    assert.deepEqual(
      events.map((e) => e.type),
      ['client-started', 'bucket', 'client-stopped'],
    );
    const bucket = events[1] as Extract<TrafficEvent, { type: 'bucket' }>;
    const [address] = Object.keys(router.stats.byBackend);
    assert.deepEqual(Object.fromEntries(Object.entries(bucket.backends).map(([k, b]) => [k, [b.calls, b.ok, b.errors]])), {
      [address]: [2, 2, {}],
      '(none)': [1, 0, { UNAVAILABLE: 1 }],
    });
    await call(client, '/demo.Greeter/Hello');
    assert.equal(events.length, 3, 'nothing after stop');
  });

  it('a service pattern at 50%: about half of 200 calls aborted, and the counter equals what the caller saw', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => call(client, `/demo.Half/M${i % 3}`)));
    const aborted = answers.filter((a) => a.code === status.RESOURCE_EXHAUSTED).length;
    assert.equal(answers.filter((a) => a.code === status.OK).length + aborted, 200);
    assert.ok(aborted > 60 && aborted < 140, `aborted ${aborted} of 200`);
    const counted = Object.entries(router.stats.faults)
      .filter(([m]) => m.startsWith('/demo.Half/'))
      .reduce((n, [, c]) => n + c.aborted, 0);
    assert.equal(counted, aborted);
  });
});

describe('router faults: the rules', () => {
  it('the method’s own rule wins over its service’s, which wins over *', () => {
    const f = new RouterFaults(
      [
        { method: '*', abort: { code: 2, percent: 100 } },
        { method: '/a.S/*', abort: { code: 3, percent: 100 } },
        { method: '/a.S/M', abort: { code: 4, percent: 100 } },
      ],
      () => 0,
    );
    assert.equal(f.decide('/a.S/M').abort?.code, 4);
    assert.equal(f.decide('/a.S/N').abort?.code, 3);
    assert.equal(f.decide('/b.T/M').abort?.code, 2);
  });

  it('a share is drawn per call: 30% aborts when the draw is under 0.3, not at 0.3', () => {
    let draw = 0.29;
    const f = new RouterFaults([{ method: '*', abort: { code: 14, percent: 30 }, delay: { ms: 50, percent: 30 } }], () => draw);
    assert.deepEqual(f.decide('/x.Y/Z'), { delayMs: 50, abort: { code: 14, message: "aborted by the lab's router (fault on *: 30% UNAVAILABLE)" } });
    draw = 0.3;
    assert.deepEqual(f.decide('/x.Y/Z'), { delayMs: 0, abort: undefined });
    assert.deepEqual(f.counts.get('/x.Y/Z'), { calls: 2, aborted: 0, delayed: 1 }, 'an abort is counted when the router sends it');
    f.aborted('/x.Y/Z');
    assert.deepEqual(f.counts.get('/x.Y/Z'), { calls: 2, aborted: 1, delayed: 1 });
  });

  it('lab router --abort and --delay: one rule per method, and every bad flag a clear error', () => {
    assert.deepEqual(parseFaults(['/a.S/M=unavailable@30%'], ['/a.S/M=200ms@0.5', '*=1s@100%']), [
      { method: '/a.S/M', abort: { code: 14, percent: 30 }, delay: { ms: 200, percent: 50 } },
      { method: '*', delay: { ms: 1000, percent: 100 } },
    ]);
    for (const [aborts, delays, message] of [
      [['/a.S/M=UNAVAILBLE@30%'], [], /not a gRPC status \(did you mean UNAVAILABLE\?\)/],
      [['/a.S/M=OK@30%'], [], /"OK" is not a gRPC status/],
      [['a.S/M=UNAVAILABLE@30%'], [], /a method is \/package\.Service\/Method/],
      [['/a.S/M=UNAVAILABLE@130%'], [], /at most 100%/],
      [['/a.S/M=UNAVAILABLE'], [], /--abort expects METHOD=CODE@PERCENT/],
      [[], ['*=200@10%'], /--delay \*=200@10%/],
      [[], ['*=fast@10%'], /--delay \*=fast@10%/],
    ] as Array<[string[], string[], RegExp]>)
      assert.throws(
        () => parseFaults(aborts, delays),
        (err: Error) => err instanceof InputError && message.test(err.message),
        `${aborts} ${delays}`,
      );
  });
});
