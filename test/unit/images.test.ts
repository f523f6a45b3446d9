import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { configHash, planContainer } from '../../src/sandbox/container-plan.js';
import { rootfsHash, sharedLibraries } from '../../src/sandbox/images/rootfs.js';
import { LABEL } from '../../src/sandbox/labels.js';
import { parseTopology } from '../../src/topology/load.js';
import { readFileSync } from 'node:fs';
import { ROOT, tempDir } from '../helpers/lab.js';

describe('image content hash', () => {
  it("changes when a file's content changes and only then", () => {
    const dir = tempDir('lab-hash-');
    const f = path.join(dir, 'bin');
    writeFileSync(f, 'one');
    const fs = { files: [{ src: f, dest: '/usr/bin/x' }], dirs: ['/tmp'] };
    const h1 = rootfsHash(fs, ['ENTRYPOINT ["/usr/bin/x"]']);
    assert.equal(rootfsHash(fs, ['ENTRYPOINT ["/usr/bin/x"]']), h1);
    writeFileSync(f, 'two');
    const h2 = rootfsHash(fs, ['ENTRYPOINT ["/usr/bin/x"]']);
    assert.notEqual(h2, h1);
    assert.notEqual(rootfsHash(fs, ['ENTRYPOINT ["/usr/bin/y"]']), h2);
  });

  it('lists the shared libraries of a dynamic binary, with the loader', async () => {
    const libs = await sharedLibraries(process.execPath);
    assert.ok(libs.some((l) => /libc\.so/.test(l.src)));
    assert.ok(libs.some((l) => /ld-linux/.test(l.dest)));
  });
});

describe('container plan', () => {
  const t = parseTopology('lab.yaml', readFileSync(`${ROOT}/compose/lab.yaml`, 'utf8'));
  const echo2 = t.instances.find((i) => i.name === 'echo-2')!;

  it('labels the container, publishes on loopback only, and tells the echo where it is', () => {
    const spec = planContainer(t, echo2, 'lab/echo:1', 'sess');
    assert.equal(spec.name, 'lab-echo-2');
    assert.equal(spec.labels[LABEL.project], 'lab');
    assert.equal(spec.labels[LABEL.session], 'sess');
    // The host address leads through the link proxy (container 50052); the direct port sits beside it.
    assert.deepEqual(spec.ports, [
      { hostIp: '127.77.1.2', hostPort: 50051, containerPort: 50052, protocol: 'tcp' },
      { hostIp: '127.77.1.2', hostPort: 50052, containerPort: 50051, protocol: 'tcp' },
    ]);
    assert.equal(spec.env.LAB_LINK_PORT, '50052');
    assert.equal(echo2.controlAddress, '127.77.1.2:50052');
    assert.equal(spec.env.LAB_HOST_ADDRESS, '127.77.1.2:50051');
    assert.equal(spec.env.LAB_CLUSTER_ADDRESS, 'echo-2:50051');
    assert.equal(spec.env.LAB_ETCD, 'etcd:2379');
    assert.equal(spec.readOnlyRootfs, true);
  });

  it('hashes the config without the session, and changes the hash when the config changes', () => {
    const a = planContainer(t, echo2, 'lab/echo:1', 's1');
    const b = planContainer(t, echo2, 'lab/echo:1', 's2');
    assert.equal(a.labels[LABEL.configHash], b.labels[LABEL.configHash]);
    const c = planContainer(t, { ...echo2, weight: 5 }, 'lab/echo:1', 's1');
    assert.notEqual(c.labels[LABEL.configHash], a.labels[LABEL.configHash]);
    assert.equal(configHash(a), a.labels[LABEL.configHash]);
  });
});
