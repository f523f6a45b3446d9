// `lab router` as a user runs it (the built CLI, its own process): routes to echo servers in this
// process, --abort and --delay on the wire, the counts it prints when Ctrl-C stops it, and bad
// flags refused with a clear message before it listens.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { execa } from 'execa';
import { EXIT } from '../../src/errors.js';
import { startFleet, type Fleet } from '../helpers/echo-fleet.js';
import { lab, ROOT, testTopologyFile } from '../helpers/lab.js';

setupLab();

const id = (b: Buffer) => b;
const LISTEN = '127.77.9.41:50071';
/** EchoRequest { message: "x" }. */
const REQ = Buffer.from([0x0a, 0x01, 0x78]);

function unary(client: Client, method: string): Promise<number> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(`/grpc.examples.echo.Echo/${method}`, id, id, REQ, new Metadata(), { deadline: Date.now() + 5000 }, (err: ServiceError | null) =>
      resolve(err?.code ?? status.OK),
    ),
  );
}

describe('lab router (the CLI)', () => {
  let fleet: Fleet;
  let file: string;
  before(async () => {
    fleet = await startFleet(2);
    file = testTopologyFile('labroutercli', 94);
  });
  after(() => fleet.stop());

  it('routes, aborts and delays as its flags say, and prints what it did when stopped', async () => {
    const p = execa(
      process.execPath,
      [
        path.join(ROOT, 'bin/lab.js'),
        '-f',
        file,
        'router',
        '--listen',
        LISTEN,
        '--route',
        `*=${fleet.target()}@round_robin`,
        '--abort',
        '/grpc.examples.echo.Echo/UnaryEcho=RESOURCE_EXHAUSTED@100%',
        '--delay',
        '/grpc.examples.echo.Echo/*=1ms@100%',
        '--json',
      ],
      { cwd: ROOT, reject: false },
    );
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n}\n')) resolve(out);
      });
      void p.then((r) => reject(new Error(`lab router exited: ${String(r.stderr)}`)));
    });
    const started = JSON.parse(first) as { listen: string; routes: Array<{ balancer: string }>; faults: unknown[] };
    assert.equal(started.listen, LISTEN);
    assert.equal(started.routes[0].balancer, "round_robin (the router's own)");
    assert.equal(started.faults.length, 2);
    const client = new Client(LISTEN, credentials.createInsecure());
    try {
      assert.equal(await unary(client, 'UnaryEcho'), status.RESOURCE_EXHAUSTED);
      // ServerStreamingEcho is not aborted: only delayed (by the service's rule), then served.
      const code = await new Promise<number>((resolve) => {
        const call = client.makeServerStreamRequest('/grpc.examples.echo.Echo/ServerStreamingEcho', id, id, REQ);
        call.on('data', () => undefined);
        call.on('error', () => undefined);
        call.on('status', (st) => resolve(st.code));
      });
      assert.equal(code, status.OK);
    } finally {
      client.close();
    }
    p.kill('SIGINT');
    const r = await p;
    assert.equal(r.exitCode, 0, String(r.stderr));
    const stats = JSON.parse(String(r.stdout).slice(first.length)) as {
      requests: number;
      faults: Record<string, { calls: number; aborted: number; delayed: number }>;
      byBackend: Record<string, { calls: number }>;
    };
    assert.equal(stats.requests, 2);
    assert.deepEqual(stats.faults['/grpc.examples.echo.Echo/UnaryEcho'], { calls: 1, aborted: 1, delayed: 0 });
    assert.deepEqual(stats.faults['/grpc.examples.echo.Echo/ServerStreamingEcho'], { calls: 1, aborted: 0, delayed: 1 });
    assert.equal(
      Object.values(stats.byBackend).reduce((n, b) => n + b.calls, 0),
      1,
      'the aborted call never reached a backend',
    );
  });

  for (const [args, message] of [
    [['--abort', '/a.S/M=NOPE@10%'], /--abort \/a\.S\/M=NOPE@10%: "NOPE" is not a gRPC status/],
    [['--delay', 'M=1s@10%'], /a method is \/package\.Service\/Method, \/package\.Service\/\* or \*/],
    [['--route', '*=ipv4:127.0.0.1:1@weighted_round_robin'], /"weighted_round_robin" runs only in a client's channel/],
  ] as Array<[string[], RegExp]>)
    it(`refuses ${args.join(' ')} before it listens, with no stack trace`, async () => {
      const r = await lab(['-f', file, 'router', '--listen', LISTEN, ...args]);
      assert.equal(r.exitCode, EXIT.input, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
});
