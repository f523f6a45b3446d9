import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileError } from '../../src/errors.js';
import { actionKinds } from '../../src/scenario/actions/index.js';
import type { SandboxOverrides } from '../../src/scenario/model.js';
import { parseScenario } from '../../src/scenario/load.js';
import { parseTopology } from '../../src/topology/load.js';
import { frontsOf } from '../../src/scenario/timeline/fronts.js';
import { dialled } from '../../src/scenario/timeline/reach.js';
import { instancesOf, type SandboxModel } from '../../src/scenario/timeline/sandbox-model.js';
import { DEFAULT_POLICY } from '../../src/wire/index.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

const topology = (sandbox: SandboxOverrides) => parseTopology('compose/lab.yaml', readFileSync(path.join(ROOT, 'compose/lab.yaml'), 'utf8'), sandbox);
const BAD = path.join(ROOT, 'test/fixtures/scenarios/bad');
const expected = JSON.parse(readFileSync(path.join(BAD, 'expected.json'), 'utf8')) as Record<string, string>;

describe('scenario parser: the bad-file corpus (exact message and position, nothing starts)', () => {
  const files = readdirSync(BAD)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  it('has at least 130 bad files, each with its expected message', () => {
    assert.ok(files.length >= 130, `${files.length} files`);
    assert.deepEqual(Object.keys(expected).sort(), files);
  });
  for (const file of files) {
    it(file, () => {
      assert.throws(
        () => parseScenario(file, readFileSync(path.join(BAD, file), 'utf8'), topology),
        (err: unknown) => {
          assert.ok(err instanceof FileError, `expected a FileError, got ${String(err)}`);
          // {actions}: every registered kind, so adding an action file changes no fixture.
          assert.equal(err.message, expected[file].replace('{actions}', actionKinds().sort().join(', ')));
          assert.match(err.message, new RegExp(`^${file.replace('.', '\\.')}:\\d+:\\d+: `));
          assert.equal(err.exitCode, 2);
          return true;
        },
      );
    });
  }
});

describe('scenario parser: the library', () => {
  for (const file of readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} loads, with every step parsed`, () => {
      const text = readFileSync(path.join(ROOT, 'scenarios', file), 'utf8');
      const s = parseScenario(file, text, topology);
      assert.ok(s.steps.length > 0);
      assert.ok(s.durationMs > 0);
      // Steps come out in time order and keep their source lines.
      for (let i = 1; i < s.steps.length; i++) assert.ok(s.steps[i].atMs >= s.steps[i - 1].atMs);
      assert.ok(s.steps.every((st) => st.line > 0));
    });
  }

  it('reads durations, shares, ratios, errors and latency the way people write them', () => {
    const s = parseScenario(
      'x.yaml',
      `name: x
duration: 1m
clients:
  a: { lb: '{"loadBalancingConfig":[{"round_robin":{}}]}', rate: 100, keepalive: { time: 1s, timeout: 500ms } }
steps:
  - { at: 1.5s, expect: { client: a, share: "≈ 1:2:3 ± 5%", within: 2s } }
  - { at: 500ms, expect: { client: a, errors: { rate: "<1%", UNAVAILABLE: 0 }, latency: { p99: "<50ms" }, always: true } }
  - { at: 10s, fault: { target: echo-1, latency: 100ms, errorRate: 10%, code: INTERNAL, cpuBurn: 500us } }
`,
      topology,
    );
    assert.deepEqual(
      s.steps.map((x) => x.atMs),
      [500, 1500, 10_000],
    );
    assert.equal(s.durationMs, 60_000);
    assert.deepEqual(s.clients[0].keepalive, { timeMs: 1000, timeoutMs: 500 });
    assert.equal(s.steps[0].kind === 'expect' && s.steps[0].alwaysMs, Infinity);
    assert.equal(s.steps[2].text, 'fault on echo-1: +100ms, 10% errors, 500µs CPU/call');
  });
});

describe('scenario parser: a server of yours', () => {
  const text = readFileSync(path.join(ROOT, 'examples/servers/go/lab.yaml'), 'utf8');
  const withGreeter = (sandbox: SandboxOverrides) => parseTopology('examples/servers/go/lab.yaml', text, sandbox);
  const scenario = (clients: string, steps = '') =>
    parseScenario('x.yaml', `name: x\nduration: 10s\nclients:\n${clients}\nsteps:\n${steps || '  - { at: 1s, kill: greeter-2 }'}\n`, withGreeter);
  const refused = (fn: () => unknown, message: string) =>
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof FileError, String(err));
      assert.equal(err.message, message);
      return true;
    });

  it('calls its method, names its replicas by address, and takes a ratio over them', () => {
    const s = parseScenario('kill-and-freeze.yaml', readFileSync(path.join(ROOT, 'examples/servers/go/kill-and-freeze.yaml'), 'utf8'), withGreeter);
    const c = s.clients[0];
    assert.deepEqual([c.target, c.method, c.call], ['etcd:///greeter', '/helloworld.Greeter/SayHello', 'unary']);
    assert.equal(c.names?.['127.77.3.2:50051'], 'greeter-2');
    assert.equal(c.names?.['greeter-2:50051'], 'greeter-2');
  });

  it('is reached by its service and its addresses only: HAProxy and the router reach the echo servers; a client you run, every backend that counts its calls', () => {
    const t = withGreeter({ proxy: true });
    const m = { atMs: 0, instances: instancesOf(t), gone: new Map(), clients: new Map(), xds: { policy: DEFAULT_POLICY }, leaderKills: 0 } as SandboxModel;
    const fronts = frontsOf(t);
    const reach = (target: string | undefined, observed = false) => dialled({ name: 'c', observed, target, maxAttempts: 1 }, m, fronts).dialled;
    const echoes = ['echo-1', 'echo-2', 'echo-3'];
    const greeters = ['greeter-1', 'greeter-2', 'greeter-3'];
    assert.deepEqual(reach('etcd:///greeter'), greeters);
    assert.deepEqual(reach(`dns://${t.consul.dnsHostAddress}/greeter.service.consul:50051`), greeters);
    assert.deepEqual(reach('ipv4:127.77.3.2:50051'), ['greeter-2']);
    assert.deepEqual(reach('etcd:///echo'), echoes);
    assert.deepEqual(reach(`ipv4:${t.proxy!.l7}`), echoes);
    assert.deepEqual(reach(`ipv4:${t.router}`), echoes);
    // A client you run may call any backend that counts its calls: the echo servers and the servers of yours (their sidecars count).
    assert.deepEqual(reach(undefined, true), [...echoes, ...greeters]);
  });

  it('takes its sidecar’s steps: a link fault, call faults per method, its health answer, a partition, a drain', () => {
    const s = scenario(
      '  g: { target: "etcd:///greeter", call: { method: /helloworld.Greeter/SayHello } }',
      [
        '  - { at: 1s, link: { target: greeter-2, latency: 100ms } }',
        '  - { at: 2s, grpc-fault: { target: greeter-1, method: "/helloworld.Greeter/*", abort: { code: UNAVAILABLE, percent: 30% } } }',
        '  - { at: 3s, health: { greeter-3: NOT_SERVING } }',
        '  - { at: 4s, link: { target: echo-1, latency: 100ms } }',
        '  - { at: 5s, partition: greeter-1 }',
        '  - { at: 6s, heal: greeter-1 }',
        '  - { at: 7s, drain: greeter-2 }',
      ].join('\n'),
    );
    assert.deepEqual(
      s.steps.map((st) => (st.kind === 'action' ? [st.action.kind, (st.arg as { target: string }).target] : [])),
      [
        ['link', 'greeter-2'],
        ['grpc-fault', 'greeter-1'],
        ['health', 'greeter-3'],
        ['link', 'echo-1'],
        ['partition', 'greeter-1'],
        ['heal', 'greeter-1'],
        ['drain', 'greeter-2'],
      ],
    );
    const fault = (s.steps[1] as { arg: { fault: unknown } }).arg.fault;
    assert.deepEqual(fault, { method: '/helloworld.Greeter/*', abort: { code: 14, percent: 30 }, delay: undefined });
  });

  it('judges call faults by the method the client calls: an abort of every call it makes rules out no errors; one on another method does not', () => {
    const g = '  g: { target: "etcd:///greeter", call: { method: /helloworld.Greeter/SayHello } }';
    const abortAll = (method: string) =>
      [1, 2, 3].map((n) => `  - { at: 1s, grpc-fault: { target: greeter-${n}, method: "${method}", abort: { code: UNAVAILABLE, percent: 100% } } }`).join('\n');
    const noErrors = '  - { at: 2s, expect: { client: g, errors: { rate: "<1%" }, always: 3s } }';
    for (const method of ['/helloworld.Greeter/SayHello', '/helloworld.Greeter/*', '*'])
      assert.throws(
        () => scenario(g, `${abortAll(method)}\n${noErrors}`),
        /errors rate <1% cannot hold: every backend g can reach then fails every call/,
        method,
      );
    assert.doesNotThrow(() => scenario(g, `${abortAll('/helloworld.Greeter/SayGoodbye')}\n${noErrors}`));
    assert.doesNotThrow(() => scenario(g, `${abortAll('/other.Svc/*')}\n${noErrors}`));
  });

  it('reaches a killed or frozen server’s sidecar: its knobs still take steps', () => {
    const g = '  g: { target: "etcd:///greeter", call: { method: /helloworld.Greeter/SayHello } }';
    assert.doesNotThrow(() =>
      scenario(
        g,
        [
          '  - { at: 1s, kill: greeter-2 }',
          '  - { at: 2s, grpc-fault: { target: greeter-2, method: "*", abort: { code: UNAVAILABLE, percent: 10% } } }',
          '  - { at: 1s, pause: greeter-3 }',
          '  - { at: 2s, health: { greeter-3: NOT_SERVING } }',
          '  - { at: 3s, link: { target: greeter-3, latency: 10ms } }',
        ].join('\n'),
      ),
    );
  });

  it('refuses call faults on an echo server and on a method that is not one, and a link on etcd', () => {
    const g = '  g: { target: "etcd:///greeter", call: { method: /helloworld.Greeter/SayHello } }';
    refused(
      () => scenario(g, '  - { at: 1s, grpc-fault: { target: echo-2, method: "*", abort: { code: UNAVAILABLE, percent: 30% } } }'),
      'x.yaml:6:37: steps[0].grpc-fault.target: "echo-2" is not a server of yours (those are greeter-1, greeter-2, greeter-3)',
    );
    refused(
      () => scenario(g, '  - { at: 1s, grpc-fault: { target: greeter-2, method: SayHello, abort: { code: UNAVAILABLE, percent: 30% } } }'),
      'x.yaml:6:56: steps[0].grpc-fault.method: a method is /package.Service/Method, /package.Service/* or *, found "SayHello"',
    );
    refused(
      () => scenario(g, '  - { at: 1s, link: { target: etcd, latency: 100ms } }'),
      'x.yaml:6:31: steps[0].link.target: "etcd" is neither an echo server nor a server of yours (those are echo-1, echo-2, echo-3, greeter-1, greeter-2, greeter-3)',
    );
  });

  it('refuses the echo’s calls to it, a method that is not one, and steps on its sidecar', () => {
    refused(
      () => scenario('  g: { target: "etcd:///greeter" }'),
      'x.yaml:4:16: clients.g.target: "greeter" is a server of yours, which answers its own methods, not the echo\'s: name the method to call, e.g. /helloworld.Greeter/SayHello',
    );
    refused(
      () => scenario('  g: { target: "ipv4:{greeter-2}" }'),
      "x.yaml:4:16: clients.g.target: greeter-2 is a server of yours, which answers its own methods, not the echo's: name the method to call, e.g. /helloworld.Greeter/SayHello",
    );
    refused(
      () => scenario('  g: { target: "etcd:///greeter", call: { method: SayHello } }'),
      'x.yaml:4:51: clients.g.call.method: "SayHello" is not a gRPC method path: write /package.Service/Method, e.g. /helloworld.Greeter/SayHello',
    );
    refused(
      () => scenario('  g: { target: "etcd:///greeter", call: { method: /helloworld.Greeter/SayHello } }', '  - { at: 1s, kill: greeter-2-sidecar }'),
      'x.yaml:6:21: steps[0].kill: unknown service "greeter-2-sidecar" (the sandbox has etcd, consul, echo-1, echo-2, echo-3, greeter-1, greeter-2, greeter-3)',
    );
    refused(
      () =>
        scenario(
          '  g: { target: "etcd:///greeter", call: { method: /helloworld.Greeter/SayHello } }',
          '  - { at: 1s, fault: { target: greeter-2, latency: 10ms } }',
        ),
      'x.yaml:6:32: steps[0].fault.target: "greeter-2" is a server of yours: this step works the echo\'s own knobs, which only echo servers have (echo-1, echo-2, echo-3); its sidecar delays and aborts its calls with grpc-fault',
    );
  });
});
