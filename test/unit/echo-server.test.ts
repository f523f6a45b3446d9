import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials, loadPackageDefinition, status, type Metadata, type Client, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { configFromEnv } from '../../src/echo/config.js';
import { startEcho, type RunningEcho } from '../../src/echo/server.js';
import { EchoControl, checkHealth, echoClient, type EchoClient } from '../../src/grpc/index.js';
import { unaryEcho } from '../helpers/grpc.js';
import { ROOT } from '../helpers/lab.js';

describe('echo server (in-process, real grpc-js)', () => {
  let echo: RunningEcho;
  let addr: string;
  let client: EchoClient;

  before(async () => {
    const cfg = configFromEnv({ LAB_ID: 'echo-7', LAB_PORT: '0', LAB_BIND: '127.0.0.1', LAB_PROTO_DIR: path.join(ROOT, 'protos') });
    echo = await startEcho(cfg);
    addr = `127.0.0.1:${echo.port}`;
    client = echoClient(addr);
  });
  after(async () => {
    client.close();
    await echo.stop(100);
  });

  it('answers UnaryEcho with its identity in the message and the x-lab-backend header', async () => {
    const header = await new Promise<Metadata>((resolve, reject) => {
      const c = client.UnaryEcho({ message: 'hi' }, (err, res) => {
        if (err) reject(err);
        assert.equal(res?.message, 'echo-7: hi');
      });
      c.on('metadata', resolve);
    });
    assert.deepEqual(header.get('x-lab-backend'), ['echo-7']);
  });

  it('serves the three streaming methods', async () => {
    const server = await new Promise<string[]>((resolve, reject) => {
      const out: string[] = [];
      const s = (client.ServerStreamingEcho as unknown as (r: object) => NodeJS.EventEmitter)({ message: 's' });
      s.on('data', (m: { message: string }) => out.push(m.message));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
    assert.deepEqual(server, Array(5).fill('echo-7: s'));

    const clientStream = await new Promise<string>((resolve, reject) => {
      const s = (client.ClientStreamingEcho as unknown as (cb: (e: Error | null, r: { message: string }) => void) => NodeJS.WritableStream)((e, r) =>
        e ? reject(e) : resolve(r.message),
      );
      s.write({ message: 'a' } as never);
      s.write({ message: 'b' } as never);
      s.end();
    });
    assert.equal(clientStream, 'echo-7: b');

    const bidi = await new Promise<string[]>((resolve, reject) => {
      const out: string[] = [];
      const s = (client.BidirectionalStreamingEcho as unknown as () => NodeJS.ReadWriteStream)();
      s.on('data', (m: { message: string }) => out.push(m.message));
      s.on('end', () => resolve(out));
      s.on('error', reject);
      s.write({ message: 'x' } as never);
      s.write({ message: 'y' } as never);
      s.end();
    });
    assert.deepEqual(bidi, ['echo-7: x', 'echo-7: y']);
  });

  it('fails 2 of every 3 calls with UNAVAILABLE when told to, and counts them', async () => {
    const ctl = new EchoControl(addr);
    await ctl.resetStats();
    await ctl.setFault({ failN: 2, failOfM: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        await unaryEcho(client, 'x').then(
          () => 0,
          (e: { code: number }) => e.code,
        ),
      );
    }
    assert.deepEqual(codes, [status.UNAVAILABLE, status.UNAVAILABLE, 0, status.UNAVAILABLE, status.UNAVAILABLE, 0]);
    const stats = await ctl.setFault({});
    assert.equal(stats.calls, '6');
    assert.equal(stats.injectedFailures, '4');
    ctl.close();
  });

  it('turns NOT_SERVING on grpc.health.v1 when told to, and back', async () => {
    const ctl = new EchoControl(addr);
    await ctl.setHealth(false);
    assert.equal(await checkHealth(addr), 'NOT_SERVING');
    await ctl.setHealth(true);
    assert.equal(await checkHealth(addr), 'SERVING');
    ctl.close();
  });

  it('lists its services through server reflection', async () => {
    const def = loadSync(path.join(ROOT, 'node_modules/@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto'), { keepCase: true });
    const svc = (((loadPackageDefinition(def).grpc as GrpcObject).reflection as GrpcObject).v1alpha as GrpcObject).ServerReflection as ServiceClientConstructor;
    const rc = new svc(addr, credentials.createInsecure()) as unknown as Client & { ServerReflectionInfo(): NodeJS.ReadWriteStream };
    const names = await new Promise<string[]>((resolve, reject) => {
      const s = rc.ServerReflectionInfo();
      s.on('data', (r: { list_services_response?: { service: Array<{ name: string }> } }) => {
        resolve((r.list_services_response?.service ?? []).map((x) => x.name));
        s.end();
      });
      s.on('error', reject);
      s.write({ list_services: '' } as never);
    });
    rc.close();
    for (const n of ['grpc.examples.echo.Echo', 'lab.control.v1.Control']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  });
});
