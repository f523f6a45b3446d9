// A raw node:http2 backend for the router's tests: `onStream` answers each stream; `stop()` ends
// every session it took.
import http2 from 'node:http2';
import type net from 'node:net';

export async function h2Backend(onStream: (s: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders) => void, settings?: http2.Settings) {
  // Room for the 4 MiB answers a test queues (Node refuses new streams past 10 MB of a session's buffers).
  const server = http2.createServer({ settings, maxSessionMemory: 256 });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('error', () => undefined);
  });
  server.on('stream', (s, h) => {
    s.on('error', () => undefined);
    onStream(s, h);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () => {
      for (const s of sessions) s.destroy();
      server.close();
    },
  };
}
