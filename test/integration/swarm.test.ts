// The same sandbox on a real Docker Swarm of three engines on this machine (scripts/test-swarm.sh:
// this engine as the manager, two more in network namespaces of the test's own as workers), with an
// echo server on every node: the library's stories play with --engine swarm and give the verdicts
// they give on one engine; what the lab refuses it says with a hint; and afterwards nothing is left
// on any node, and the engine is out of the swarm again, as it was found.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { execa } from 'execa';
import { LIBRARY, playFile } from '../../scripts/scenarios.js';
import { lab, ROOT, tempDir, testTopologyFile } from '../helpers/lab.js';

const PROJECT = 'labswarm';
const SCRIPT = path.join(ROOT, 'scripts/test-swarm.sh');
/** Its own overlay subnet: the test's, beside any a lab of the machine's may use. */
const SUBNET = '10.215.0.0/24';
const topology = testTopologyFile(PROJECT, 96, (doc) => doc.setIn(['x-lab', 'swarm', 'subnet'], SUBNET));
const engineState = async () => (await execa('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim();

describe('the sandbox on a three-node Docker Swarm (--engine swarm)', { timeout: 900_000 }, () => {
  let nodes = '';
  const env = () => ({ LAB_SWARM_NODES: nodes });
  const swarm = (args: string[], extraEnv: Record<string, string> = {}) =>
    lab(['-f', topology, '--engine', 'swarm', ...args], { env: { ...process.env, ...env(), ...extraEnv }, timeout: 300_000 });
  const workers = () =>
    nodes
      .split(',')
      .map((kv) => kv.split('='))
      .map(([name, endpoint]) => ({ name, docker: new Docker({ socketPath: endpoint.replace('unix://', '') }) }));

  before(async () => {
    // A swarm test-swarm.sh made and an earlier run left (killed, or a reboot that kept the engine a
    // manager): the script knows its own by its label and removes it. Any other swarm stays untouched.
    if ((await engineState()) !== 'inactive') await execa('bash', [SCRIPT, 'down'], { reject: false });
    assert.equal(await engineState(), 'inactive', 'the engine must be in no swarm (other than one test-swarm.sh made) before the test makes its own');
  });

  after(async () => {
    await swarm(['down']).catch(() => undefined);
    await execa('bash', [SCRIPT, 'down'], { reject: false });
    assert.equal(await engineState(), 'inactive', 'test-swarm.sh down leaves the engine out of any swarm, as it was');
    const { stdout: netns } = await execa('ip', ['netns', 'list']);
    assert.doesNotMatch(netns, /lab-sw\d/, 'no namespace of the test swarm is left');
    const { stdout: links } = await execa('ip', ['-o', 'link']);
    assert.doesNotMatch(links, /lab-sw|lab-swbr0/, 'no veth or bridge of the test swarm is left');
    assert.ok(!existsSync('/run/lab-swarm/sw1'), "no worker engine's folder is left");
  });

  it('without a swarm: says how to make one, exit 3, starts nothing', async () => {
    const r = await lab(['-f', topology, '--engine', 'swarm', 'up']);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /is in no swarm/);
    assert.match(r.stderr, /docker swarm init|test-swarm\.sh up/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('test-swarm.sh up makes three ready nodes, one per zone', async () => {
    const r = await execa('bash', [SCRIPT, 'up']);
    nodes = /LAB_SWARM_NODES=(\S+)/.exec(r.stdout)![1];
    const { stdout } = await execa('docker', ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}']);
    assert.equal(
      stdout
        .trim()
        .split('\n')
        .filter((l) => l.endsWith(' Ready')).length,
      3,
      stdout,
    );
  });

  it('a node the lab has no Docker API for: up says which node and what to run, and leaves nothing', async () => {
    const r = await lab(['-f', topology, '--engine', 'swarm', 'up'], { env: { ...process.env, LAB_SWARM_NODES: nodes.split(',')[0] } });
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /node lab-sw2 needs lab\/echo:\w+/);
    assert.match(r.stderr, /docker save lab\/echo:\w+ \| docker -H <lab-sw2's Docker API> load/);
    const { stdout } = await execa('docker', ['service', 'ls', '--filter', `label=dev.lab.project=${PROJECT}`, '-q']);
    assert.equal(stdout.trim(), '', 'no service left behind');
  });

  it('lab up --engine swarm: an echo server on every node, all healthy and registered; status names the nodes', async () => {
    const up = await swarm(['up']);
    assert.equal(up.exitCode, 0, up.stderr);
    const st = await swarm(['status', '--json']);
    assert.equal(st.exitCode, 0, st.stderr);
    const services = (JSON.parse(st.stdout) as { services: Array<{ name: string; node?: string; health: string; consul?: { check?: string } }> }).services;
    const echoes = services.filter((s) => s.name.startsWith('echo-'));
    assert.deepEqual(
      echoes.map((e) => e.health),
      ['SERVING', 'SERVING', 'SERVING'],
    );
    assert.deepEqual(
      echoes.map((e) => e.consul?.check),
      ['passing', 'passing', 'passing'],
    );
    const { stdout: self } = await execa('docker', ['info', '--format', '{{.Name}}']);
    assert.deepEqual(
      echoes.map((e) => e.node),
      [self.trim(), 'lab-sw1', 'lab-sw2'],
      'zone a on the manager, b and c on the workers',
    );
    const text = await swarm(['status']);
    assert.match(text.stdout, /NODE/);
    // Nothing is published: no port of the project's on any interface.
    const { stdout: ports } = await execa('docker', ['service', 'ls', '--filter', `label=dev.lab.project=${PROJECT}`, '--format', '{{.Ports}}']);
    assert.equal(ports.trim().replace(/\s+/g, ''), '');
  });

  it("one engine per sandbox: a command on this machine's engine for the project up on the swarm refuses, says where it is up, and changes nothing", async () => {
    const tasks = async () =>
      (await execa('docker', ['service', 'ls', '--filter', `label=dev.lab.project=${PROJECT}`, '--format', '{{.Name}} {{.Replicas}}'])).stdout;
    const before = await tasks();
    for (const args of [['play', path.join(LIBRARY, 'kill-node.yaml'), '--no-tui'], ['up'], ['down'], ['status']]) {
      const r = await lab(['-f', topology, '--engine', 'docker', ...args], { env: { ...process.env, ...env() } });
      assert.equal(r.exitCode, 3, `lab ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(`the sandbox ${PROJECT} is up on the Docker Swarm this machine manages, not on this machine's Docker engine; nothing was changed`),
      );
      assert.match(r.stderr, /with --engine swarm/);
    }
    assert.equal(await tasks(), before, 'every service as it was');
  });

  // The partition last: healed, a task is reached by its address, but the swarm's DNS (which HAProxy
  // finds its backends in) lists its name again only when the task is replaced (README: Swarm).
  for (const story of ['tour', 'kill-node', 'etcd-lease-expiry', 'k8s-service-imbalance', 'partition']) {
    it(`${story}.yaml passes on the swarm, as on one engine`, { timeout: 240_000 }, async () => {
      const p = await playFile(path.join(LIBRARY, `${story}.yaml`), { topology, engine: 'swarm', env: env(), reportRoot: tempDir('lab-swarm-') });
      assert.equal(p.exitCode, 0, p.output.split('\n').slice(-30).join('\n'));
      assert.equal(p.verdict?.ok, true);
      assert.ok(p.verdict!.expectations.length > 0);
    });
  }

  it('lab down leaves the swarm as it found it: no service, overlay, container, volume or copied image on any node', async () => {
    const d = await swarm(['down']);
    assert.equal(d.exitCode, 0, d.stderr);
    const manager = new Docker();
    const byLabel = JSON.stringify({ label: [`dev.lab.project=${PROJECT}`] });
    assert.deepEqual(await manager.listServices({ filters: byLabel }), []);
    assert.deepEqual(await manager.listNetworks({ filters: byLabel }), []);
    assert.deepEqual(await manager.listContainers({ all: true, filters: byLabel }), []);
    for (const w of workers()) {
      assert.deepEqual(await w.docker.listContainers({ all: true }), [], `${w.name}: containers`);
      assert.deepEqual(await w.docker.listImages(), [], `${w.name}: images`);
      assert.deepEqual((await w.docker.listVolumes()).Volumes ?? [], [], `${w.name}: volumes`);
    }
  });
});
