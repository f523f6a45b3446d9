// The echo server as grpc's xDS interop test server: grpc.testing.TestService (EmptyCall,
// UnaryCall with hostname and server_id), a `hostname` response header on every TestService and
// Echo call, `rpc-behavior` honoured as grpc's test servers honour it, XdsUpdateHealthService
// driving the echo's health. Real grpc-js on both sides, in this process.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials, loadPackageDefinition, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { configFromEnv } from '../../src/echo/config.js';
import { planOf } from '../../src/echo/rpc-behavior.js';
import { startEcho, type RunningEcho } from '../../src/echo/server.js';
import { checkHealth } from '../../src/grpc/index.js';
import type { ProtoGrpcType } from '../../src/grpc/generated/test.js';
import type { TestServiceClient } from '../../src/grpc/generated/grpc/testing/TestService.js';
import type { XdsUpdateHealthServiceClient } from '../../src/grpc/generated/grpc/testing/XdsUpdateHealthService.js';
import { ROOT } from '../helpers/lab.js';

describe('rpc-behavior, as grpc’s xDS test servers read it', () => {
  it('takes entries in order: sleeps add up, the first ending entry decides', () => {
    assert.deepEqual(planOf(['sleep-2'], 'echo-1', 0), { sleepMs: 2000, then: { kind: 'answer' } });
    assert.deepEqual(planOf(['sleep-1,error-code-14'], 'echo-1', 0), { sleepMs: 1000, then: { kind: 'error', code: 14 } });
    assert.deepEqual(planOf(['keep-open', 'error-code-3'], 'echo-1', 0), { sleepMs: 0, then: { kind: 'keep-open' } });
    assert.deepEqual(planOf(['sleep-1', 'sleep-2', 'keep-open'], 'echo-1', 0), { sleepMs: 3000, then: { kind: 'keep-open' } });
  });
  it('succeed-on-retry-attempt-N answers on attempt N, and only then skips what follows', () => {
    assert.deepEqual(planOf(['succeed-on-retry-attempt-2,error-code-14'], 'echo-1', 2), { sleepMs: 0, then: { kind: 'answer' } });
    assert.deepEqual(planOf(['succeed-on-retry-attempt-2,error-code-14'], 'echo-1', 1), { sleepMs: 0, then: { kind: 'error', code: 14 } });
  });
  it('hostname=X applies an entry on server X only', () => {
    assert.deepEqual(planOf(['hostname=echo-2 error-code-14'], 'echo-1', 0), { sleepMs: 0, then: { kind: 'answer' } });
    assert.deepEqual(planOf(['hostname=echo-2 error-code-14'], 'echo-2', 0), { sleepMs: 0, then: { kind: 'error', code: 14 } });
  });
  it('says what it cannot read (INVALID_ARGUMENT), and passes over what is not its own', () => {
    for (const bad of ['sleep-x', 'error-code-', 'error-code-99', 'hostname=echo-1', 'succeed-on-retry-attempt-x'])
      assert.ok('invalid' in planOf([bad], 'echo-1', 0), bad);
    assert.deepEqual(planOf(['something-else'], 'echo-1', 0), { sleepMs: 0, then: { kind: 'answer' } });
  });
});

describe('the echo server as grpc’s interop test server (in-process, real grpc-js)', () => {
  let echo: RunningEcho;
  let test: TestServiceClient;
  let health: XdsUpdateHealthServiceClient;
  let addr: string;

  before(async () => {
    const protoDir = path.join(ROOT, 'protos');
    echo = await startEcho(configFromEnv({ LAB_ID: 'echo-3', LAB_PORT: '0', LAB_BIND: '127.0.0.1', LAB_PROTO_DIR: protoDir }));
    addr = `127.0.0.1:${echo.port}`;
    const pkg = loadPackageDefinition(
      loadSync(path.join(protoDir, 'grpc/testing/test.proto'), {
        keepCase: true,
        longs: String,
        enums: String,
        defaults: true,
        oneofs: true,
        includeDirs: [protoDir],
      }),
    ) as unknown as ProtoGrpcType;
    test = new pkg.grpc.testing.TestService(addr, credentials.createInsecure());
    health = new pkg.grpc.testing.XdsUpdateHealthService(addr, credentials.createInsecure());
  });
  after(async () => {
    test.close();
    health.close();
    await echo.stop(100);
  });

  /** A UnaryCall with this metadata: its response, or its error, with the response headers. */
  function unary(md = new Metadata(), deadlineMs = 5000, request = { response_size: 3, fill_server_id: true }) {
    return new Promise<{ res?: { hostname: string; server_id: string; payload: { body: Buffer } | null }; err?: ServiceError; headers?: Metadata; ms: number }>(
      (resolve) => {
        const t0 = performance.now();
        let headers: Metadata | undefined;
        const call = test.UnaryCall(request, md, { deadline: Date.now() + deadlineMs }, (err, res) =>
          resolve({ res: res as never, err: err ?? undefined, headers, ms: performance.now() - t0 }),
        );
        call.on('metadata', (h) => (headers = h));
      },
    );
  }

  it('UnaryCall answers with its hostname and server_id, the payload asked for, and a hostname header', async () => {
    const r = await unary();
    assert.equal(r.err, undefined);
    assert.equal(r.res?.hostname, 'echo-3');
    assert.equal(r.res?.server_id, 'echo-3');
    assert.equal(r.res?.payload?.body.length, 3);
    assert.deepEqual(r.headers?.get('hostname'), ['echo-3']);
    const empty = await new Promise<Metadata>((resolve, reject) => test.EmptyCall({}, (e) => e && reject(e)).on('metadata', resolve));
    assert.deepEqual(empty.get('hostname'), ['echo-3']);
  });

  it('honours rpc-behavior: error-code-N, sleep-N, keep-open (until the deadline)', async () => {
    const md = (v: string) => {
      const m = new Metadata();
      m.set('rpc-behavior', v);
      return m;
    };
    assert.equal((await unary(md('error-code-14'))).err?.code, status.UNAVAILABLE);
    assert.equal((await unary(md('hostname=echo-9 error-code-14'))).err, undefined, 'another host’s entry');
    const slept = await unary(md('sleep-1'));
    assert.equal(slept.err, undefined);
    assert.ok(slept.ms >= 950, `slept ${slept.ms} ms`);
    const open = await unary(md('keep-open'), 600);
    assert.equal(open.err?.code, status.DEADLINE_EXCEEDED);
    assert.equal((await unary(md('sleep-x'))).err?.code, status.INVALID_ARGUMENT);
  });

  it('XdsUpdateHealthService sets the health the lab’s checks read', async () => {
    await new Promise((resolve, reject) => health.SetNotServing({}, (e) => (e ? reject(e) : resolve(undefined))));
    assert.equal(await checkHealth(addr), 'NOT_SERVING');
    await new Promise((resolve, reject) => health.SetServing({}, (e) => (e ? reject(e) : resolve(undefined))));
    assert.equal(await checkHealth(addr), 'SERVING');
  });
});
