// The swarm engine's pure parts: a topology on a swarm (every address a name in the overlay, nothing
// published), a planned container as a service (image by id, placement by zone, never restarted, no
// virtual IP, named volumes), and what a scenario may ask of a swarm.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileError } from '../../src/errors.js';
import { planContainer } from '../../src/sandbox/container-plan.js';
import { serviceSpecOf } from '../../src/sandbox/swarm/service-spec.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { SandboxOverrides } from '../../src/scenario/model.js';
import { parseTopology } from '../../src/topology/load.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

const text = readFileSync(path.join(ROOT, 'compose/lab.yaml'), 'utf8');
const onSwarm = (sandbox: SandboxOverrides = {}) => parseTopology('compose/lab.yaml', text, { ...sandbox, engine: 'swarm' });

describe('a topology on a swarm', () => {
  it('names every address in the overlay, publishes nothing, and runs the router in the gateway', () => {
    const t = onSwarm({ proxy: true, xds: true });
    assert.equal(t.engine, 'swarm');
    assert.deepEqual(
      t.instances.filter((i) => i.role === 'echo').map((i) => [i.name, i.hostAddress, i.controlAddress, i.clusterAddress, i.ports.length]),
      [
        ['echo-1', 'echo-1:50052', 'echo-1:50051', 'echo-1:50051', 0],
        ['echo-2', 'echo-2:50052', 'echo-2:50051', 'echo-2:50051', 0],
        ['echo-3', 'echo-3:50052', 'echo-3:50051', 'echo-3:50051', 0],
      ],
    );
    assert.ok(t.instances.every((i) => i.ports.length === 0));
    assert.equal(t.etcd.hostAddress, 'etcd:2379');
    assert.equal(t.consul.hostAddress, 'consul:8500');
    assert.equal(t.consul.dnsHostAddress, 'consul:8600');
    assert.deepEqual([t.proxy?.l4, t.proxy?.l7], ['proxy:50061', 'proxy:50062']);
    assert.equal(t.xds?.hostAddress, 'xds:18000');
    assert.deepEqual([t.router, t.routerRunsIn], ['gateway:50070', 'sandbox']);
    assert.equal(t.swarm?.subnet, '10.214.0.0/24');
  });

  it('plans each echo to register by its own address in the overlay ({ip}), and to run in its zone', () => {
    const t = onSwarm();
    const echo2 = t.instances.find((i) => i.name === 'echo-2')!;
    const spec = planContainer(t, echo2, 'lab/echo:x', 's');
    assert.equal(spec.env.LAB_HOST_ADDRESS, '{ip}:50052');
    assert.equal(spec.env.LAB_CLUSTER_ADDRESS, '{ip}:50051');
    assert.equal(spec.env.LAB_ETCD, 'etcd:2379');
    assert.equal(spec.zone, 'b');
    // One engine: the same echo registers its loopback address, and has no zone to be placed by.
    const local = parseTopology('compose/lab.yaml', text);
    const l = planContainer(
      local,
      local.instances.find((i) => i.name === 'echo-2')!,
      'lab/echo:x',
      's',
    );
    assert.equal(l.env.LAB_HOST_ADDRESS, '127.77.1.2:50051');
    assert.equal(l.zone, undefined);
  });

  it('makes a planned container a service of one task: by image id, placed, never restarted, no virtual IP', () => {
    const t = onSwarm();
    const echo3 = planContainer(
      t,
      t.instances.find((i) => i.name === 'echo-3')!,
      'lab/echo:x',
      's',
    );
    const svc = serviceSpecOf(echo3, 'net-id', 'sha256:abc') as unknown as {
      Name: string;
      TaskTemplate: {
        ContainerSpec: { Image: string; Init: boolean; ReadOnly: boolean; CapabilityDrop: string[] };
        RestartPolicy: { Condition: string };
        Placement: { Constraints: string[] };
        Networks: Array<{ Target: string; Aliases: string[] }>;
      };
      EndpointSpec: { Mode: string };
      Mode: { Replicated: { Replicas: number } };
    };
    assert.equal(svc.Name, 'lab-echo-3');
    assert.equal(svc.TaskTemplate.ContainerSpec.Image, 'sha256:abc');
    assert.deepEqual(svc.TaskTemplate.Placement.Constraints, ['node.labels.lab.zone==c']);
    assert.equal(svc.TaskTemplate.RestartPolicy.Condition, 'none');
    assert.equal(svc.EndpointSpec.Mode, 'dnsrr');
    assert.equal(svc.Mode.Replicated.Replicas, 1);
    assert.deepEqual(svc.TaskTemplate.Networks, [{ Target: 'net-id', Aliases: ['echo-3', 'echo'] }]);
    assert.deepEqual(
      [svc.TaskTemplate.ContainerSpec.Init, svc.TaskTemplate.ContainerSpec.ReadOnly, svc.TaskTemplate.ContainerSpec.CapabilityDrop],
      [true, true, ['ALL']],
    );
    // etcd: on the manager, its data on a named volume (a task started again keeps it).
    const etcd = planContainer(
      t,
      t.instances.find((i) => i.role === 'etcd')!,
      'lab/etcd:x',
      's',
    );
    const e = serviceSpecOf(etcd, 'net-id', 'sha256:def') as unknown as {
      TaskTemplate: { Placement: { Constraints: string[] }; ContainerSpec: { Mounts: Array<{ Type: string; Source?: string; Target: string }> } };
    };
    assert.deepEqual(e.TaskTemplate.Placement.Constraints, ['node.role==manager']);
    assert.deepEqual(
      e.TaskTemplate.ContainerSpec.Mounts.filter((m) => m.Type === 'volume').map((m) => [m.Source, m.Target]),
      [['lab-etcd-var-lib-etcd', '/var/lib/etcd']],
    );
  });
});

describe('a scenario on a swarm', () => {
  it('dials a named place by its name: ipv4:{proxy-l4} becomes dns:///proxy:50061', () => {
    const s = parseScenario(
      'x.yaml',
      `name: x\nduration: 5s\nsandbox: { proxy: true }\nclients:\n  l4: { target: "ipv4:{proxy-l4}", lb: pick_first }\n`,
      onSwarm,
    );
    assert.equal(s.clients[0].target, 'dns:///proxy:50061');
  });

  it('refuses a client of your own, at its place in the file', () => {
    assert.throws(
      () => parseScenario('x.yaml', `name: x\nduration: 5s\nclients:\n  mine: { run: "python3 client.py" }\n`, onSwarm),
      (err: unknown) => err instanceof FileError && /^x\.yaml:4:\d+: clients\.mine\.run: a client you run yourself runs on this machine/.test(err.message),
    );
  });
});
