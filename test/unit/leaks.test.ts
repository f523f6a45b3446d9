// Every error path releases what it took: a traffic client whose channel grpc-js refuses leaves no
// sink; a resolver that never reached its registry leaves no timer or socket once its client
// stopped (the Consul resolver's backoff once outlived destroy() by 8 s); the cluster poller closes
// the control clients of echo servers that scaled away. No Docker: nothing listens where they dial.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import type { ContainerInfo, ContainerRuntime } from '../../src/sandbox/index.js';
import { loadTopology } from '../../src/topology/load.js';
import { serviceConfigFrom, TrafficClient } from '../../src/traffic/index.js';
import { sinkCount } from '../../src/traffic/sink.js';
import { ClusterPoller } from '../../src/view/cluster-poller.js';
import { ROOT, testTopologyFile } from '../helpers/lab.js';

setupLab();

describe('error paths release what they took', () => {
  it('a client whose channel grpc-js refuses (a bad retry policy) throws from start() and leaves no sink behind', () => {
    const before = sinkCount();
    const c = new TrafficClient({
      name: 'refused',
      target: 'ipv4:127.93.250.3:50051',
      // Past serviceConfigFrom's checks (as a hand-made spec would be): the channel itself refuses it.
      serviceConfig: { loadBalancingConfig: [{ round_robin: {} }], methodConfig: [{ name: [{}], retryPolicy: { maxAttempts: 1 } }] },
      concurrency: 1,
    });
    assert.throws(() => c.start(), /retry policy/i);
    assert.equal(sinkCount(), before);
    // And a good client registers one, and takes it away when it stops.
    const ok = new TrafficClient({ name: 'ok', target: 'ipv4:127.93.250.3:50051', serviceConfig: serviceConfigFrom('round_robin'), concurrency: 1 });
    ok.start();
    assert.equal(sinkCount(), before + 1);
    return ok.stop(100).then(() => assert.equal(sinkCount(), before));
  });

  for (const target of ['consul:///echo', 'etcd:///echo']) {
    it(`${target}: a client whose registry never answered holds nothing once stopped (no timer, no socket), and its process exits by itself`, async () => {
      const r = await execa(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fixtures/leaks/client-stops.ts'), target], {
        cwd: ROOT,
        reject: false,
        timeout: 60_000,
      });
      assert.equal(r.timedOut, false, 'the process ended by itself');
      assert.equal(r.exitCode, 0, r.stderr);
      // Its stdout and stderr are pipes to this test (PipeWrap): anything else is the client's.
      const held = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[]).filter((x) => x !== 'PipeWrap');
      assert.deepEqual(held, [], 'what Node still held after stop()');
    });
  }

  it('the cluster poller closes and forgets the control clients of echo servers that scaled away', async () => {
    const file = testTopologyFile('lableak', 93);
    let echoes = 3;
    const containers = (): ContainerInfo[] =>
      Array.from({ length: echoes }, (_, i) => ({
        id: `id${i}`,
        name: `lableak-echo-${i + 1}`,
        state: 'running',
        labels: { 'dev.lab.instance': `echo-${i + 1}`, 'dev.lab.role': 'echo' },
      })) as unknown as ContainerInfo[];
    const rt = { listContainers: async () => containers() } as unknown as ContainerRuntime;
    const poller = new ClusterPoller(
      { rt, reach: (a: string) => a },
      () => loadTopology(file, { echo: echoes }),
      () => undefined,
    );
    try {
      await poller.poll();
      assert.equal(poller.controlClients, 3);
      echoes = 2;
      await poller.poll();
      assert.equal(poller.controlClients, 2, 'echo-3 scaled away: its control client is gone');
    } finally {
      poller.close();
    }
    assert.equal(poller.controlClients, 0);
  });
});
