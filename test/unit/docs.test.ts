// What users read about the plug-ins comes from the registries: the README's generated tables are
// current, `lab schema` gives every action's argument shape, and --help lists them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { helpLines, withGeneratedTables } from '../../src/cli/docs.js';
import { actionDefinitions } from '../../src/scenario/actions/index.js';
import { scenarioSchema } from '../../src/scenario/schema.js';
import { setupLab } from '../../src/setup.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

describe('docs from the registries', () => {
  it("the README's generated tables are current (npm run docs)", () => {
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.equal(withGeneratedTables(text), text);
    for (const a of actionDefinitions()) assert.ok(text.includes(`\`${a.example}\``), `the README lists ${a.kind}`);
  });

  it('lab schema gives the argument shape of every action (link: latency, jitter, bandwidth, ...)', () => {
    const schema = z.toJSONSchema(scenarioSchema(), { io: 'input', unrepresentable: 'any' }) as unknown as {
      properties: { steps: { items: { properties: Record<string, { properties?: Record<string, unknown>; anyOf?: unknown[]; type?: string }> } } };
    };
    const step = schema.properties.steps.items.properties;
    assert.deepEqual(Object.keys(step.link.properties ?? {}).sort(), [
      'bandwidth',
      'blackhole',
      'direction',
      'jitter',
      'latency',
      'reset',
      'slowClose',
      'target',
    ]);
    assert.deepEqual(Object.keys(step.fault.properties ?? {}).sort(), ['code', 'cpuBurn', 'errorRate', 'failN', 'jitter', 'latency', 'ofM', 'target']);
    assert.equal(step.kill.type, 'string');
    for (const a of actionDefinitions()) assert.ok(step[a.kind], `lab schema has ${a.kind}`);
  });

  it('--help lists every action and balancer', () => {
    const actions = helpLines('actions');
    for (const a of actionDefinitions()) assert.match(actions, new RegExp(`^  ${a.kind} `, 'm'));
    assert.match(helpLines('balancers'), /^ {2}wrr_smooth +nginx/m);
  });
});
