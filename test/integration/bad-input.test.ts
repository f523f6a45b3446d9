// Bad input everywhere, through the CLI as users type it: every case in the corpus (flags, service
// config JSON, missing files; test/fixtures/bad-input/cli.json) exits 2 with its exact message and
// no stack trace, and starts nothing; `lab check` refuses every case of the scenario corpus
// (test/fixtures/scenarios/bad, also checked by the parser's unit test) and passes the library.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { actionKinds } from '../../src/scenario/actions/index.js';
import { lab, leftovers, ROOT, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labbad';
const cases = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/bad-input/cli.json'), 'utf8')) as Array<{
  args: string[];
  error: string;
  topology?: string;
}>;

describe('lab check: what lab play would refuse, with nothing started', () => {
  const BAD = 'test/fixtures/scenarios/bad';
  const expected = JSON.parse(readFileSync(path.join(ROOT, BAD, 'expected.json'), 'utf8')) as Record<string, string>;
  type Result = { file: string; ok: boolean; error?: string; line?: number; column?: number };

  it('refuses every case of the scenario corpus with its exact message and position (exit 2)', async () => {
    const r = await lab(['check', '--json', BAD]);
    assert.equal(r.exitCode, 2, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; files: number; refused: number; results: Result[] };
    assert.equal(out.ok, false);
    assert.equal(out.files, Object.keys(expected).length);
    assert.equal(out.refused, out.files);
    for (const res of out.results) {
      const name = path.basename(res.file);
      const want = expected[name].replace('{actions}', actionKinds().sort().join(', '));
      assert.equal(res.error, `${BAD}/${want}`, name);
      assert.match(want, new RegExp(`^${name.replace('.', '\\.')}:${res.line}:${res.column}: `));
    }
  });

  it('passes every file of the library (its default when given no file), and says how many', async () => {
    const r = await lab(['check']);
    assert.equal(r.exitCode, 0, r.stdout);
    const library = readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    assert.match(r.stdout, new RegExp(`${library.length} file\\(s\\): ${library.length} ok, 0 refused`));
    for (const f of library) assert.match(r.stdout, new RegExp(`✔ scenarios/${f.replace('.', '\\.')} · `));
  });

  it('a missing file among good ones: the good ones pass, the missing one is named, exit 2', async () => {
    const r = await lab(['check', 'scenarios/tour.yaml', 'nosuch.yaml']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stdout, /✔ scenarios\/tour\.yaml/);
    assert.match(r.stdout, /✖ cannot read the scenario nosuch\.yaml: no such file/);
  });
});

describe('bad input on the command line (exit 2, the exact message, nothing started)', () => {
  const file = testTopologyFile(PROJECT, 85);
  after(async () => assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] }));

  it('has at least 60 cases (with the scenario corpus, well over 150)', () => assert.ok(cases.length >= 60, String(cases.length)));

  for (const c of cases) {
    it(`lab ${c.args.join(' ')}`, async () => {
      const r = await lab(['-f', c.topology ?? file, ...c.args], { input: '' });
      assert.equal(r.exitCode, 2, `${r.stdout}\n${r.stderr}`);
      assert.equal(r.stderr.split('\n')[0], c.error);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(r.stderr.trim().split('\n').length <= 3, `one short paragraph:\n${r.stderr}`);
    });
  }
});
