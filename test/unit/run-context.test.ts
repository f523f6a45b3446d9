// The run context: a run is put together once. The topology file is read once (a run's shapes come
// from that text, each parsed once), nothing is read until a part is asked for, every shape of a
// run shares the runtime and has a clock of its own, and the session's set-lb goes to the run's own
// clients (no patch from outside).
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { localEngine, type Engine } from '../../src/engine/index.js';
import { RunContext } from '../../src/run/context.js';
import type { ContainerRuntime } from '../../src/sandbox/index.js';
import { serviceConfigFrom } from '../../src/traffic/index.js';
import { ROOT, tempDir } from '../helpers/lab.js';

/** A runtime that is never asked anything here: the context only hands it on, with the engine's reach. */
const rt = {} as unknown as ContainerRuntime;
const engine: Engine = { ...localEngine(rt), reach: (a: string) => `reached ${a}` };

describe('the run context', () => {
  it('reads the topology file once: shapes parsed after the file is gone still come, each one once', () => {
    const file = path.join(tempDir('lab-run-'), 'lab.yaml');
    copyFileSync(path.join(ROOT, 'compose/lab.yaml'), file);
    const run = RunContext.open({ topologyFile: file, engine });
    assert.equal(run.topology.instances.filter((i) => i.role === 'echo').length, 3);
    rmSync(file);
    const five = run.shape({ echo: 5 });
    assert.equal(five.instances.filter((i) => i.role === 'echo').length, 5);
    assert.equal(run.shape({ echo: 5 }), five, 'the same shape is parsed once');
    const scenarioRun = run.withShape({ echo: 5, xds: true });
    assert.ok(scenarioRun.topology.xds, 'the shape is the run’s topology');
    assert.equal(scenarioRun.rt, rt, 'every shape of a run shares its runtime');
    assert.equal(scenarioRun.engine, engine, 'and its engine');
    assert.equal(scenarioRun.reach('127.77.1.1:50051'), 'reached 127.77.1.1:50051');
  });

  it('reads nothing until a part is asked for: a missing file is named when the topology is', () => {
    const run = RunContext.open({ topologyFile: '/nonexistent/lab.yaml', rt });
    assert.throws(() => run.topology, /cannot read the topology \/nonexistent\/lab\.yaml/);
  });

  it('each shape has a clock of its own, which traffic starts from 0', async () => {
    const base = RunContext.open({ topologyFile: path.join(ROOT, 'compose/lab.yaml'), rt });
    await sleep(30);
    const run = base.withShape({});
    assert.ok(run.clock.now() < base.clock.now(), 'a new shape’s clock starts with it, not with the base');
    await sleep(20);
    const before = run.clock.now();
    run.clock.start();
    assert.ok(run.clock.now() < before, 'traffic starts the count again');
  });

  it("the session's set-lb reaches the run's own clients once they exist, and says so before", () => {
    const run = RunContext.open({ topologyFile: path.join(ROOT, 'compose/lab.yaml'), rt });
    const session = run.openSession();
    assert.equal(run.session, session);
    assert.throws(() => session.ctx.setServiceConfig('rr', serviceConfigFrom('pick_first')), /traffic has not started/);
    const clients = run.newClients({ onEvent: () => undefined });
    assert.equal(run.clients, clients);
    clients.add({ name: 'rr', target: 'etcd:///echo', serviceConfig: serviceConfigFrom('round_robin'), concurrency: 1 });
    const old = session.ctx.setServiceConfig('rr', serviceConfigFrom('pick_first'));
    assert.deepEqual(old, serviceConfigFrom('round_robin'));
    assert.deepEqual(clients.specs[0].serviceConfig, serviceConfigFrom('pick_first'));
    session.close();
  });
});
