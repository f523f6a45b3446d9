// Before anything starts: is every address the lab will publish free to bind?
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { PortSpec } from '../topology/index.js';

/** Undefined when free, else the error code (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
export function bindProblem(p: PortSpec): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (p.protocol === 'udp') {
      const s = createSocket('udp4');
      s.once('error', (err: NodeJS.ErrnoException) => {
        s.close();
        resolve(err.code ?? err.message);
      });
      s.bind(p.hostPort, p.hostIp, () => s.close(() => resolve(undefined)));
      return;
    }
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    srv.listen({ host: p.hostIp, port: p.hostPort, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}
