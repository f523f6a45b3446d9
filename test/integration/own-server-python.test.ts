// A second server the lab did not write (issue 29): three replicas of the Python example
// (examples/servers/python, python3-grpcio, no health service: probed with `health: tcp`), in an
// image build.sh assembles from this machine's python3. It plays the example's story (a slow link,
// a gRPC abort a retry policy hides, a freeze, a kill); a `lab play` stopped with Ctrl-C (its undo
// clears the sidecar's faults); then one killed with SIGKILL in the middle of a run: the next lab
// command sweeps everything it left, and the server's image stays.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { getRuntime } from '../../src/sandbox/index.js';
import { EchoControl } from '../../src/grpc/echo-control.js';
import { loadTopology } from '../../src/topology/load.js';
import { lab, leftovers, ROOT } from '../helpers/lab.js';
import { serverTopologyFile } from '../helpers/own-server.js';

setupLab();

const PROJECT = 'labserverpy';
const OCTET = 92;
const IMAGE = 'examples/greeter-py:1';

const topologyFile = () => serverTopologyFile(PROJECT, OCTET, 'python', 3);

describe('a server of yours in the lab: the Python example, probed over TCP and HTTP/2 PING', () => {
  const rt = getRuntime();
  let file: string;

  before(async () => {
    execFileSync('sh', [path.join(ROOT, 'examples/servers/python/build.sh')], { stdio: 'inherit' });
    file = topologyFile();
    await lab(['-f', file, 'down']);
    const r = await lab(['-f', file, 'up']);
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  });
  after(async () => {
    const r = await lab(['-f', file, 'down']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    assert.ok(await rt.imageId(IMAGE), 'the server’s image is kept');
  });

  it('plays the example’s story: every expectation passes on the Python replicas', async () => {
    const r = await lab(['-f', file, 'play', '--json', path.join(ROOT, 'examples/servers/python/story.yaml')], { timeout: 150_000 });
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      ok: boolean;
      expectations: Array<{ text: string; state: string; saw: string; timeToHoldMs?: number }>;
    };
    assert.equal(r.exitCode, 0, `${r.stderr}\n${last.expectations.map((e) => `${e.state} ${e.text}: ${e.saw}`).join('\n')}`);
    assert.equal(last.expectations.length, 7);
    assert.ok(
      last.expectations.every((e) => e.state === 'passed'),
      last.expectations.map((e) => e.state).join(' '),
    );
    // The freeze was seen by the PING probe, not by a connect (which a frozen process still takes):
    // the replica left once its lease lapsed, not at once.
    const frozen = last.expectations.find((e) => e.text.includes('greeter-3 0'))!;
    assert.ok(frozen.timeToHoldMs! >= 3000, `greeter-3 was left ${frozen.timeToHoldMs} ms after its freeze`);
  });

  it('Ctrl-C of lab play mid-run: its undo clears the sidecar’s call faults, and the sandbox stays up', async () => {
    const child = execa(
      process.execPath,
      [path.join(ROOT, 'bin/lab.js'), '-f', file, 'play', path.join(ROOT, 'examples/servers/python/story.yaml'), '--no-tui'],
      {
        reject: false,
        cwd: ROOT,
      },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const t0 = Date.now();
    while (!/greeter-2's sidecar: \/helloworld.Greeter\/SayHello: abort/.test(out) && Date.now() - t0 < 90_000) await sleep(50);
    const topology = loadTopology(file);
    const [host, port] = topology.instances.find((i) => i.name === 'greeter-2')!.hostAddress.split(':');
    const control = new EchoControl(`${host}:${Number(port) + 1}`);
    try {
      assert.equal((await control.getStats()).callFaults.length, 1, 'the abort was in force');
      child.kill('SIGINT');
      const r = await child;
      assert.equal(r.exitCode, 130, out);
      assert.deepEqual((await control.getStats()).callFaults, [], 'the undo cleared it');
    } finally {
      control.close();
    }
    assert.ok((await leftovers(PROJECT)).containers.length >= 9, 'the sandbox stays up after Ctrl-C');
  });

  it('kill -9 of lab play mid-run: the next lab command removes every container and network it left, and keeps the image', async () => {
    const up = await lab(['-f', file, 'up']);
    assert.equal(up.exitCode, 0, up.stderr);
    const child = execa(
      process.execPath,
      [path.join(ROOT, 'bin/lab.js'), '-f', file, 'play', path.join(ROOT, 'examples/servers/python/story.yaml'), '--no-tui'],
      {
        reject: false,
        cwd: ROOT,
      },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const t0 = Date.now();
    while (!/greeter-2's sidecar: \/helloworld.Greeter\/SayHello: abort/.test(out) && Date.now() - t0 < 90_000) await sleep(50);
    child.kill('SIGKILL');
    await child;
    assert.ok((await leftovers(PROJECT)).containers.length >= 9, 'the sandbox was there when it died');
    const s = await lab(['-f', file, 'status']);
    assert.match(s.stderr, /died without cleaning up: removed what it left/);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    assert.ok(await rt.imageId(IMAGE), 'the server’s image is kept');
  });
});
