// Property: whatever text the scenario and topology parsers are given, they either accept it or
// throw the lab's own input error (exit 2, with a position) — never a TypeError, a RangeError, a
// YAML library error or anything else that would print a stack trace.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { InputError } from '../../src/errors.js';
import type { SandboxOverrides } from '../../src/scenario/model.js';
import { parseScenario } from '../../src/scenario/load.js';
import { parseTopology } from '../../src/topology/load.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

const compose = readFileSync(path.join(ROOT, 'compose/lab.yaml'), 'utf8');
const topology = (sandbox: SandboxOverrides) => parseTopology('compose/lab.yaml', compose, sandbox);
const library = readdirSync(path.join(ROOT, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => readFileSync(path.join(ROOT, 'scenarios', f), 'utf8'));

/** Runs the parser; fails the property on any throw that is not the lab's input error. */
function onlyInputErrors(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (err) {
    if (err instanceof InputError && err.exitCode === 2 && typeof err.message === 'string' && err.message.length > 0) return true;
    throw new Error(`not an input error: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}

/** A valid file with a few characters changed: the typos users make. */
const mutated = (texts: string[]) =>
  fc
    .record({
      text: fc.constantFrom(...texts),
      edits: fc.array(
        fc.record({
          at: fc.nat(),
          cut: fc.nat({ max: 6 }),
          put: fc.string({ maxLength: 6, unit: fc.constantFrom(...' :{}[],-#"\'\n\t0123456789abcxyz%.>=<±≈&*!|'.split('')) }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map(({ text, edits }) =>
      edits.reduce((t, e) => {
        const at = e.at % (t.length + 1);
        return t.slice(0, at) + e.put + t.slice(at + e.cut);
      }, text),
    );

/** A well-formed YAML document of any shape, with the keys a scenario or topology uses mixed in. */
const KEYS = [
  'name',
  'duration',
  'clients',
  'steps',
  'at',
  'expect',
  'kill',
  'share',
  'within',
  'always',
  'target',
  'lb',
  'rate',
  'concurrency',
  'services',
  'x-lab',
  'ports',
  'image',
  'role',
  'deploy',
  'replicas',
  'sandbox',
  'echo',
  'etcd',
  'link',
  'fault',
  'latency',
  'errors',
  'attempts',
  'scale',
];
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie('node'), { maxKeys: 5 }),
  ),
})).node;
const documents = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 }).map((d) => stringify(d));

describe('parsers under fuzzing (fast-check)', () => {
  it('the scenario parser: only input errors for mutated library files', () => {
    fc.assert(
      fc.property(mutated(library), (text) => onlyInputErrors(() => parseScenario('fuzz.yaml', text, topology))),
      { numRuns: 400 },
    );
  });

  it('the scenario parser: only input errors for arbitrary YAML documents and arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(documents, fc.string({ maxLength: 200 })), (text) => onlyInputErrors(() => parseScenario('fuzz.yaml', text, topology))),
      { numRuns: 400 },
    );
  });

  it('the topology parser: only input errors for a mutated compose/lab.yaml, arbitrary documents and text', () => {
    fc.assert(
      fc.property(fc.oneof(mutated([compose]), documents, fc.string({ maxLength: 200 })), (text) => onlyInputErrors(() => parseTopology('fuzz.yaml', text))),
      { numRuns: 500 },
    );
  });

  it('a failing case is reported with a position', () => {
    assert.throws(
      () => parseScenario('x.yaml', 'name: [', topology),
      (e: InputError) => /^x\.yaml:\d+:\d+: /.test(e.message),
    );
  });
});
