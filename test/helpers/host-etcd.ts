// A real etcd for unit tests, from the host's binary (the one the lab assembles its etcd image from),
// on 127.0.0.1 ports of its own and a temporary data folder; stop() kills it and removes the folder.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { openEtcd } from '../../src/util/etcd-client.js';
import { eventually, tempDir } from './lab.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function hostEtcd(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const [client, peer] = [await freePort(), await freePort()];
  const dir = tempDir('lab-etcd-');
  const proc = spawn(
    '/usr/bin/etcd',
    [
      `--data-dir=${dir}/data`,
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=default=http://127.0.0.1:${peer}`,
      '--log-level=error',
      '--heartbeat-interval=20',
      '--election-timeout=200',
    ],
    { stdio: 'ignore' },
  );
  const endpoint = `http://127.0.0.1:${client}`;
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const probe = openEtcd([endpoint]);
  try {
    await eventually(
      'the host etcd answers',
      async () =>
        (await probe
          .get('probe')
          .string()
          .then(() => true)) || false,
      20_000,
    );
  } catch (err) {
    await stop();
    throw err;
  } finally {
    probe.close();
  }
  return { endpoint, stop };
}
