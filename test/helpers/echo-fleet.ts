// Real grpc-js echo servers in this process, on 127.0.0.1 and port 0, for traffic tests.
import path from 'node:path';
import { configFromEnv } from '../../src/echo/config.js';
import { startEcho, type RunningEcho } from '../../src/echo/server.js';
import { EchoControl } from '../../src/grpc/index.js';
import { ROOT } from './lab.js';

export interface Fleet {
  servers: Array<RunningEcho & { id: string; address: string }>;
  /** ipv4:a,b,c over every server (or the given indexes). */
  target(indexes?: number[]): string;
  setFault(index: number, fault: Record<string, number>): Promise<void>;
  stop(): Promise<void>;
}

export async function startFleet(n: number, prefix = 'echo'): Promise<Fleet> {
  const servers = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const id = `${prefix}-${i + 1}`;
      const echo = await startEcho(configFromEnv({ LAB_ID: id, LAB_PORT: '0', LAB_BIND: '127.0.0.1', LAB_PROTO_DIR: path.join(ROOT, 'protos') }));
      return Object.assign(echo, { id, address: `127.0.0.1:${echo.port}` });
    }),
  );
  return {
    servers,
    target: (indexes = servers.map((_, i) => i)) => `ipv4:${indexes.map((i) => servers[i].address).join(',')}`,
    async setFault(index, fault) {
      const ctl = new EchoControl(servers[index].address);
      await ctl.setFault(fault);
      ctl.close();
    },
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop(50)));
    },
  };
}
