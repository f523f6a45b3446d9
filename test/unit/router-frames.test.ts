// The router at the frame level, grpc-js on both sides: 4 MiB messages each way, server streaming
// and bidi, through stream windows smaller than a message (the router's own settings), a caller's
// cancel reaching the backend, and a backend's GOAWAY in the middle of a stream. Every body is
// checked by hash: what the backend got is what the caller sent, and the other way round.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { GrpcRouter } from '../../src/router/grpc-router.js';

setupLab();

const id = (b: Buffer) => b;
const sha = (...bufs: Buffer[]) => {
  const h = createHash('sha256');
  for (const b of bufs) h.update(b);
  return h.digest('hex');
};
const NO_LIMIT = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
const method = (path: string, requestStream: boolean, responseStream: boolean) => ({
  path,
  requestStream,
  responseStream,
  requestSerialize: id,
  requestDeserialize: id,
  responseSerialize: id,
  responseDeserialize: id,
});
const SERVICE = {
  Unary: method('/lab.test.Bytes/Unary', false, false),
  Stream: method('/lab.test.Bytes/Stream', false, true),
  Bidi: method('/lab.test.Bytes/Bidi', true, true),
};

/** What the backend saw: cancels, and the hash of every request body it read. */
interface Seen {
  cancelled: number;
}

/** A backend of raw bytes: Unary echoes (trailer x-sha256 = what it got), Stream sends N chunks of a seed, Bidi echoes each message. */
async function startBackend(options: Record<string, number> = {}): Promise<{ address: string; seen: Seen; stop(): Promise<void> }> {
  const seen: Seen = { cancelled: 0 };
  const server = new Server({ ...NO_LIMIT, ...options });
  server.addService(SERVICE, {
    Unary: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
      const md = new Metadata();
      md.set('x-sha256', sha(call.request));
      cb(null, call.request, md);
    },
    Stream: (call: ServerWritableStream<Buffer, Buffer>) => {
      // Request: [count, size, intervalMs] as three uint32; chunk i is sha256(seed:i) repeated.
      const count = call.request.readUInt32BE(0);
      const size = call.request.readUInt32BE(4);
      const every = call.request.readUInt32BE(8);
      let i = 0;
      call.on('cancelled', () => seen.cancelled++);
      const next = () => {
        if (call.cancelled) return;
        if (i === count) return call.end();
        call.write(chunk(i++, size));
        if (every) setTimeout(next, every);
        else setImmediate(next);
      };
      next();
    },
    Bidi: (call: ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (m: Buffer) => call.write(m));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, seen, stop: () => new Promise((r) => server.tryShutdown(() => r())) };
}

function chunk(i: number, size: number): Buffer {
  const unit = createHash('sha256').update(`chunk:${i}`).digest();
  return Buffer.alloc(size, unit);
}

const streamRequest = (count: number, size: number, every = 0) => {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(count, 0);
  b.writeUInt32BE(size, 4);
  b.writeUInt32BE(every, 8);
  return b;
};

function unary(client: Client, body: Buffer): Promise<{ body: Buffer; trailers: Metadata }> {
  return new Promise((resolve, reject) => {
    let trailers = new Metadata();
    const call = client.makeUnaryRequest(SERVICE.Unary.path, id, id, body, (err, res) =>
      err ? reject(err) : setImmediate(() => resolve({ body: res!, trailers })),
    );
    call.on('status', (st) => (trailers = st.metadata));
  });
}

function stream(client: Client, request: Buffer, onMessage?: (i: number) => void): Promise<{ messages: Buffer[]; code: number }> {
  return new Promise((resolve) => {
    const messages: Buffer[] = [];
    const call = client.makeServerStreamRequest(SERVICE.Stream.path, id, id, request);
    call.on('data', (m: Buffer) => {
      messages.push(m);
      onMessage?.(messages.length);
    });
    call.on('error', () => undefined);
    call.on('status', (st) => resolve({ messages, code: st.code }));
    (resolve as unknown as { call?: unknown }).call = call;
  });
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the router forwards frames untouched (grpc-js both sides)', () => {
  for (const [name, settings] of [
    ['default windows', undefined],
    ['1 KiB stream windows, smaller than every message', { initialWindowSize: 1024 }],
  ] as const) {
    describe(name, () => {
      let backend: Awaited<ReturnType<typeof startBackend>>;
      let router: GrpcRouter;
      let client: Client;
      before(async () => {
        backend = await startBackend();
        router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${backend.address}`, 'pick_first')], {}, { settings });
        client = new Client(`127.0.0.1:${await router.listen('127.0.0.1', 0)}`, credentials.createInsecure(), NO_LIMIT);
      });
      after(async () => {
        client.close();
        await router.close();
        await backend.stop();
      });

      it('a 4 MiB message each way arrives byte for byte', async () => {
        const body = randomBytes(4 << 20);
        const r = await unary(client, body);
        assert.equal(r.trailers.get('x-sha256')[0], sha(body), 'what the backend read');
        assert.equal(sha(r.body), sha(body), 'what the caller read');
      });

      it('server streaming: 64 messages of 64 KiB, in order and whole', async () => {
        const r = await stream(client, streamRequest(64, 64 << 10));
        assert.equal(r.code, status.OK);
        assert.equal(r.messages.length, 64);
        assert.equal(sha(...r.messages), sha(...Array.from({ length: 64 }, (_, i) => chunk(i, 64 << 10))));
      });

      it('bidi: 40 messages from 0 bytes to 1 MiB, each echoed whole', async () => {
        const sent = Array.from({ length: 40 }, (_, i) => randomBytes(i === 0 ? 0 : Math.min(1 << 20, 2 ** (i % 21))));
        const got = await new Promise<Buffer[]>((resolve, reject) => {
          const out: Buffer[] = [];
          const call = client.makeBidiStreamRequest(SERVICE.Bidi.path, id, id);
          call.on('data', (m: Buffer) => out.push(m));
          call.on('error', reject);
          call.on('end', () => resolve(out));
          for (const m of sent) call.write(m);
          call.end();
        });
        assert.deepEqual(
          got.map((m) => sha(m)),
          sent.map((m) => sha(m)),
        );
      });
    });
  }

  it('a caller’s cancel resets the backend’s stream (the backend sees its call cancelled)', async () => {
    const backend = await startBackend();
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${backend.address}`, 'pick_first')]);
    const client = new Client(`127.0.0.1:${await router.listen('127.0.0.1', 0)}`, credentials.createInsecure());
    try {
      const call = client.makeServerStreamRequest(SERVICE.Stream.path, id, id, streamRequest(1000, 16, 50));
      const code = await new Promise<number>((resolve) => {
        call.once('data', () => call.cancel());
        call.on('error', () => undefined);
        call.on('status', (st) => resolve(st.code));
      });
      assert.equal(code, status.CANCELLED);
      await until('the backend sees the cancel', () => backend.seen.cancelled === 1);
      assert.deepEqual(router.stats.byBackend[backend.address], { calls: 1, errors: 1, connections: 1 });
    } finally {
      client.close();
      await router.close();
      await backend.stop();
    }
  });

  it('a backend’s GOAWAY mid-stream: the stream finishes whole on the old connection, the next call goes on a new one', async () => {
    // grpc-js's max_connection_age: a GOAWAY after 400 ms, and up to 10 s for the streams it has.
    const backend = await startBackend({ 'grpc.max_connection_age_ms': 400, 'grpc.max_connection_age_grace_ms': 10_000 });
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${backend.address}`, 'pick_first')]);
    const client = new Client(`127.0.0.1:${await router.listen('127.0.0.1', 0)}`, credentials.createInsecure());
    try {
      const long = stream(client, streamRequest(20, 1024, 60)); // 1.2 s, across the GOAWAY at 400 ms
      const during = await unary(client, Buffer.from('during')); // a call before the GOAWAY
      await new Promise((r) => setTimeout(r, 700));
      const afterIt = await unary(client, Buffer.from('after')); // after it: a new connection
      const r = await long;
      assert.equal(r.code, status.OK);
      assert.equal(sha(...r.messages), sha(...Array.from({ length: 20 }, (_, i) => chunk(i, 1024))));
      assert.equal(during.body.toString(), 'during');
      assert.equal(afterIt.body.toString(), 'after');
      const { calls, errors, connections } = router.stats.byBackend[backend.address];
      assert.deepEqual({ calls, errors }, { calls: 3, errors: 0 });
      assert.ok(connections! >= 2, `a new connection after the GOAWAY (${connections} dialled; each new one ages out after 400 ms too)`);
    } finally {
      client.close();
      await router.close();
      await backend.stop();
    }
  });

  it('close(): callers still connected do not hold it; a call in flight finishes within the grace, a longer one is cut', async () => {
    const backend = await startBackend();
    const router = new GrpcRouter([GrpcRouter.route('*', `ipv4:${backend.address}`, 'pick_first')]);
    const address = `127.0.0.1:${await router.listen('127.0.0.1', 0)}`;
    const idle = new Client(address, credentials.createInsecure());
    const busy = new Client(address, credentials.createInsecure());
    try {
      await unary(idle, Buffer.from('connect')); // a connected caller with nothing in flight
      let first!: () => void;
      const gotFirst = new Promise<void>((r) => (first = r));
      const short = stream(busy, streamRequest(5, 16, 50), (n) => n === 1 && first()); // 250 ms
      const long = stream(busy, streamRequest(100, 16, 50)); // 5 s: longer than the grace
      await gotFirst;
      const t0 = Date.now();
      await router.close(1000);
      const took = Date.now() - t0;
      assert.ok(took < 3000, `close() took ${took} ms`);
      const [s, l] = await Promise.all([short, long]);
      assert.deepEqual([s.code, s.messages.length], [status.OK, 5]);
      assert.notEqual(l.code, status.OK);
      assert.ok(l.messages.length < 100);
    } finally {
      idle.close();
      busy.close();
      await router.close();
      await backend.stop();
    }
  });
});
