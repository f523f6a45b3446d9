import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileError } from '../../src/errors.js';
import { parseTopology } from '../../src/topology/load.js';
import { ROOT } from '../helpers/lab.js';

const base = readFileSync(`${ROOT}/compose/lab.yaml`, 'utf8');

/** Asserts that `text` is refused with exactly this message (which starts with file:line:column). */
function refuses(text: string, message: string, echo?: number) {
  assert.throws(
    () => parseTopology('lab.yaml', text, { echo }),
    (err: unknown) => {
      assert.ok(err instanceof FileError, `expected a FileError, got ${String(err)}`);
      assert.equal(err.message, message);
      assert.equal(err.exitCode, 2);
      return true;
    },
  );
}

describe('topology: compose/lab.yaml', () => {
  it('resolves the shipped file into etcd, Consul and three echo servers on their own loopback addresses', () => {
    const t = parseTopology('compose/lab.yaml', base);
    assert.equal(t.project, 'lab');
    assert.equal(t.network, 'lab-net');
    assert.deepEqual(
      t.instances.map((i) => [i.name, i.hostAddress, i.clusterAddress]),
      [
        ['etcd', '127.77.0.2:2379', 'etcd:2379'],
        ['consul', '127.77.0.3:8500', 'consul:8500'],
        ['echo-1', '127.77.1.1:50051', 'echo-1:50051'],
        ['echo-2', '127.77.1.2:50051', 'echo-2:50051'],
        ['echo-3', '127.77.1.3:50051', 'echo-3:50051'],
      ],
    );
    assert.deepEqual(t.registration, { etcdPrefix: '/lab/services', leaseTtlMs: 5000, checkIntervalMs: 1000, deregisterAfterMs: 60000 });
    assert.equal(t.consul.dnsHostAddress, '127.77.0.3:8600');
    assert.deepEqual(
      t.instances.filter((i) => i.role === 'echo').map((i) => i.zone),
      ['a', 'b', 'c'],
    );
  });

  it('takes the echo count from an override, cycling zones and defaulting weights to 1', () => {
    const t = parseTopology('lab.yaml', base, { echo: 5 });
    const echoes = t.instances.filter((i) => i.role === 'echo');
    assert.equal(echoes.length, 5);
    assert.equal(echoes[4].hostAddress, '127.77.1.5:50051');
    assert.equal(echoes[3].zone, 'a');
    assert.equal(echoes[4].weight, 1);
  });

  it('makes etcd a cluster of 3 members on request: own addresses, peers by name, every client given all of them', () => {
    const t = parseTopology('lab.yaml', base, { etcd: 3 });
    const members = t.instances.filter((i) => i.role === 'etcd');
    assert.deepEqual(
      members.map((m) => [m.name, m.hostAddress, m.clusterAddress]),
      [
        ['etcd-1', '127.77.2.1:2379', 'etcd-1:2379'],
        ['etcd-2', '127.77.2.2:2379', 'etcd-2:2379'],
        ['etcd-3', '127.77.2.3:2379', 'etcd-3:2379'],
      ],
    );
    const cmd = members[1].command!;
    assert.ok(cmd.includes('--name=etcd-2'));
    assert.ok(cmd.includes('--initial-cluster=etcd-1=http://etcd-1:2380,etcd-2=http://etcd-2:2380,etcd-3=http://etcd-3:2380'));
    assert.equal(cmd.filter((a) => a.startsWith('--name=')).length, 1, 'the single-member flags are replaced, not doubled');
    assert.ok(cmd.includes('--heartbeat-interval=20'), 'other flags from the file stay');
    assert.equal(t.etcd.hostAddress, '127.77.2.1:2379,127.77.2.2:2379,127.77.2.3:2379');
    assert.equal(t.etcd.clusterAddress, 'etcd-1:2379,etcd-2:2379,etcd-3:2379');
    // One member (the default) keeps the plain name and address.
    assert.deepEqual(
      parseTopology('lab.yaml', base)
        .instances.filter((i) => i.role === 'etcd')
        .map((m) => m.name),
      ['etcd'],
    );
  });

  it('puts a link proxy in front of each echo: the host address leads through it, the control address does not', () => {
    const t = parseTopology('lab.yaml', base);
    const e = t.instances.find((i) => i.name === 'echo-3')!;
    assert.equal(e.hostAddress, '127.77.1.3:50051');
    assert.equal(e.controlAddress, '127.77.1.3:50052');
    assert.equal(e.linkPort, 50052);
    const off = parseTopology('lab.yaml', base.replace('link-proxy: true', 'link-proxy: false')).instances.find((i) => i.name === 'echo-3')!;
    assert.deepEqual([off.controlAddress, off.linkPort, off.ports.length], ['127.77.1.3:50051', 0, 1]);
  });

  it('names an unknown key where it stands, with a suggestion', () =>
    refuses(base.replace('    image: lab/echo', '    imgae: lab/echo'), 'lab.yaml:49:5: services.echo: unknown key "imgae" (did you mean "image"?)'));

  it('refuses an unknown role, listing the known ones', () =>
    refuses(
      base.replace('role: echo', 'role: ecko'),
      'lab.yaml:54:13: services.echo.x-lab.role: expected one of "etcd", "consul", "echo", "proxy", "xds", "server", found "ecko"',
    ));

  it('refuses to publish on a non-loopback address', () =>
    refuses(
      base.replace('"127.77.0.2:2379:2379"', '"0.0.0.0:2379:2379"'),
      'lab.yaml:27:13: services.etcd.ports[0]: 0.0.0.0 is not a loopback address: the lab publishes only on 127.x.y.z, never on the network',
    ));

  it('refuses a port without a host address', () =>
    refuses(
      base.replace('"127.77.0.2:2379:2379"', '"2379:2379"'),
      'lab.yaml:27:13: services.etcd.ports[0]: expected a port as "127.x.y.z:HOST:CONTAINER" (the lab publishes on loopback addresses only), found "2379:2379"',
    ));

  it('reports broken YAML at its position', () =>
    refuses(
      base.replace('    deploy: { replicas: 3 }', '    deploy: { replicas: 3 '),
      'lab.yaml:52:5: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }',
    ));

  it('names the expected type and what was found', () =>
    refuses(base.replace('replicas: 3', 'replicas: three'), 'lab.yaml:51:25: services.echo.deploy.replicas: expected a number, found "three"'));

  it('needs {n} in the echo address plan', () =>
    refuses(
      base.replace('"127.77.1.{n}"', '"127.77.1.5"'),
      'lab.yaml:56:16: services.echo.x-lab.address: expected a template with {n}, e.g. "127.77.1.{n}", found "127.77.1.5"',
    ));

  it('refuses an address plan that leaves loopback', () =>
    refuses(
      base.replace('"127.77.1.{n}"', '"127.77.1.25{n}"'),
      'lab.yaml:56:16: services.echo.x-lab.address: replica 6 would be 127.77.1.256, which is not a loopback address (127.x.y.z with parts up to 255)',
      6,
    ));

  it('refuses a duration it cannot read', () =>
    refuses(
      base.replace('lease-ttl: 5s ', 'lease-ttl: soon '),
      'lab.yaml:88:16: x-lab.registration.lease-ttl: expected a duration with its unit, such as 500ms, 5s or 1m, found "soon"',
    ));

  it('refuses two services with one role', () =>
    refuses(
      base.replace('role: consul, assemble: consul', 'role: etcd, assemble: consul'),
      'lab.yaml:46:20: services.consul.x-lab.role: "etcd" is taken by services.etcd; the lab runs one service of each role',
    ));

  it('says when a required key is missing, pointing at its service', () =>
    refuses(base.replace('    image: hashicorp/consul:1.8.7\n', ''), 'lab.yaml:36:5: services.consul.image: missing (expected text)'));

  it('suggests the right top-level x-lab key', () =>
    refuses(base.replace('x-lab:\n  project: lab', 'x-lab:\n  projet: lab'), 'lab.yaml:84:3: x-lab: unknown key "projet" (did you mean "project"?)'));

  it('wants a mapping at the top', () => refuses('- a\n- b\n', 'lab.yaml:1:1: expected a mapping at the top of the file, found a list'));
});

describe('topology: a server of yours (x-lab.role: server)', () => {
  const greeter = (lab: string, extra = '') =>
    base.replace(
      '\nnetworks:',
      `\n  greeter:\n    image: my/greeter:1\n    command: ["--listen", ":50051"]\n    deploy: { replicas: 3 }\n${extra}    x-lab:\n${lab}\nnetworks:`,
    );
  const ok = greeter('      role: server\n      port: 50051\n      health: tcp\n      binary: bin/greeter_server\n      address: "127.77.3.{n}"');

  it('is two containers per replica: the sidecar owns the address and the names, the server joins its network namespace', () => {
    const t = parseTopology('examples/lab.yaml', ok);
    const server = t.instances.find((i) => i.name === 'greeter-2')!;
    const sidecar = t.instances.find((i) => i.name === 'greeter-2-sidecar')!;
    assert.deepEqual([server.role, server.service, server.joins, server.ports], ['server', 'greeter', 'greeter-2-sidecar', []]);
    assert.deepEqual([server.hostAddress, server.clusterAddress, server.controlAddress], ['127.77.3.2:50051', 'greeter-2:50051', '127.77.3.2:50052']);
    assert.equal(server.image.binary, path.resolve('examples/bin/greeter_server'), 'x-lab.binary is relative to the topology file');
    assert.equal(server.image.ref, 'my/greeter:1');
    assert.deepEqual(
      sidecar.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`),
      ['127.77.3.2:50051->50052', '127.77.3.2:50052->50053'],
      'the link proxy on port+1 behind the host address, the health service on port+2 behind host port+1',
    );
    assert.deepEqual([sidecar.role, sidecar.service, sidecar.image.ref], ['sidecar', 'greeter', 'lab/echo']);
    assert.deepEqual(sidecar.sidecar, { of: 'greeter-2', serverPort: 50051, health: 'tcp', probeIntervalMs: 1000, probeBoundMs: 1000 });
    assert.equal(t.instances.filter((i) => i.role === 'server').length, 3);
  });

  it('refuses what cannot work, where it stands', () => {
    refuses(
      greeter('      role: server\n      address: "127.77.3.1"'),
      'lab.yaml:85:16: services.greeter.x-lab.address: expected a template with {n}, e.g. "127.77.3.{n}", found "127.77.3.1"',
    );
    refuses(
      greeter('      role: server\n      address: "10.0.0.{n}"'),
      'lab.yaml:85:16: services.greeter.x-lab.address: replica 1 would be 10.0.0.1, which is not a loopback address (127.x.y.z with parts up to 255)',
    );
    refuses(
      greeter('      role: server\n      port: 65534'),
      'lab.yaml:85:13: services.greeter.x-lab.port: the sidecar needs port+1 and port+2 beside it; use a port up to 65533',
    );
    refuses(greeter('      role: server\n      health: http'), 'lab.yaml:85:15: services.greeter.x-lab.health: expected one of "grpc", "tcp", found "http"');
    refuses(
      greeter('      role: server\n      probe: { interval: 1s, bound: 2s }'),
      'lab.yaml:85:37: services.greeter.x-lab.probe.bound: a whole number of milliseconds from 50ms up to the interval (1000 ms)',
    );
    refuses(
      greeter('      role: server\n      probe: { interval: 3s, bound: 2s }'),
      'lab.yaml:85:26: services.greeter.x-lab.probe: the interval and the bound (5000 ms) must stay under x-lab.registration.lease-ttl (5000 ms), or the lease of a server that answers lapses between two probes',
    );
    refuses(
      greeter('      role: server\n      probe: { interval: 61s }'),
      'lab.yaml:85:26: services.greeter.x-lab.probe.interval: a whole number of milliseconds from 100ms to 60s',
    );
    refuses(
      greeter('      role: server\n      assemble: echo'),
      'lab.yaml:85:17: services.greeter.x-lab.assemble: the lab has no recipe for your server; give x-lab.binary to put a host executable in its image',
    );
    refuses(
      greeter('      role: server', '    ports: ["127.77.3.1:50051:50051"]\n'),
      'lab.yaml:83:12: services.greeter.ports: a server publishes nothing itself; its sidecar publishes x-lab.port on x-lab.address',
    );
    refuses(
      greeter('      role: server\n      address: "127.77.1.{n}"'),
      'lab.yaml:85:16: services.greeter: greeter-1-sidecar would publish 127.77.1.1:50051/tcp, which echo-1 publishes; give it an address of its own',
    );
  });

  it('runs on one Docker engine only: a swarm refuses the role', () =>
    assert.throws(
      () => parseTopology('lab.yaml', ok, { engine: 'swarm' }),
      /lab\.yaml:\d+:13: services\.greeter: a server of yours runs on one Docker engine only, not on a swarm yet/,
    ));
});
