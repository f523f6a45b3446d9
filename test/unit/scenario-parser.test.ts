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
