// The fresh corpus's command lines and report folders (test/fixtures/bad-input/fresh/cli.json and
// reports.json), through the CLI as users type them: each gives its exact exit code and first line,
// never a stack trace, never hangs, starts nothing; a report folder never makes `lab report` write
// outside it or through a link (the files a case names as `unchanged` keep their bytes).
// LAB_UPDATE_CORPUS=1 records the outcomes for a reviewed change of wording.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { setupLab } from '../../src/setup.js';
import { lab, leftovers, ROOT, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();

const DIR = path.join(ROOT, 'test/fixtures/bad-input/fresh');
const PROJECT = 'labfresh';
const update = process.env.LAB_UPDATE_CORPUS === '1';

interface Case {
  args: string[];
  why: string;
  topology?: string;
  setup?: string;
  env?: Record<string, string>;
  unchanged?: string[];
  /** What it gives: the exit code and the first line a user reads (stderr, else stdout). */
  exit?: number;
  first?: string;
}

/** Runs a case in a fresh folder; what it printed has that folder's path written as $DIR (and the good reports as $GOOD). */
async function run(c: Case, places: Record<string, string>, topology: string) {
  const dir = tempDir('lab-fresh-');
  const env = { ...places, DIR: dir };
  try {
    if (c.setup) await execa('bash', ['-c', c.setup], { cwd: DIR, env, reject: false, timeout: 60_000 });
    const before = new Map((c.unchanged ?? []).map((f) => f.replace('$DIR', dir)).map((f) => [f, existsSync(f) ? readFileSync(f, 'utf8') : undefined]));
    const args = c.args.map((a) => a.replace('$DIR', dir));
    const r = await lab([...(c.topology ? ['-f', c.topology] : []), ...args], {
      cwd: DIR,
      env: { LAB_TOPOLOGY: topology, ...c.env, ...places },
      timeout: 60_000,
      input: '',
    });
    const after = new Map([...before.keys()].map((f) => [f, existsSync(f) ? readFileSync(f, 'utf8') : undefined]));
    const unmask = (s: string) => Object.entries(env).reduce((acc, [k, v]) => acc.split(v).join(`$${k}`), s);
    const first = unmask((r.stderr.trim() ? r.stderr : r.stdout).split('\n')[0] ?? '');
    return { r, first, before, after };
  } finally {
    await execa('bash', ['-c', `chattr -R -i "${dir}" 2>/dev/null; chmod -R u+rwX "${dir}" 2>/dev/null; true`], { reject: false });
  }
}

for (const file of ['cli.json', 'reports.json']) {
  describe(`the fresh corpus: ${file}`, () => {
    const cases = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Case[];
    const topology = testTopologyFile(PROJECT, 88);
    const places: Record<string, string> = {};
    before(async () => {
      // Two real report folders: the library's tour run, re-rendered (its pictures and an events log).
      for (const [name, at] of [
        ['GOOD', 'a'],
        ['GOOD2', 'b'],
      ]) {
        const dir = path.join(tempDir('lab-fresh-good-'), at);
        cpSync(path.join(ROOT, 'test/fixtures/report/tour'), dir, { recursive: true });
        writeFileSync(path.join(dir, 'events.jsonl'), '{"type":"phase","phase":"traffic","t":0}\n{"type":"phase","phase":"done","t":55000}\n');
        const r = await lab(['report', dir]);
        assert.equal(r.exitCode, 0, r.stderr);
        places[name] = dir;
      }
    });
    after(async () => {
      if (update) writeFileSync(path.join(DIR, file), `${JSON.stringify(cases, null, 2)}\n`);
      assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    });

    it(`has ${file === 'cli.json' ? 'at least 80' : 'at least 30'} cases`, () => assert.ok(cases.length >= (file === 'cli.json' ? 80 : 30)));

    const check = (c: Case) => async () => {
      const { r, first, before, after } = await run(c, places, topology);
      if (update) {
        c.exit = r.exitCode;
        c.first = first;
      }
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.notEqual(r.exitCode, 70, r.stderr);
      assert.equal(r.exitCode, c.exit, `${r.stdout}\n${r.stderr}`);
      assert.equal(first, c.first);
      if (c.why.startsWith('GOOD')) assert.notEqual(r.exitCode, 2, c.why);
      for (const [f, was] of before) assert.equal(after.get(f), was, `${f} was written through the report folder`);
    };
    const name = (c: Case) => `lab ${c.args.join(' ')}${c.topology ? ` (-f ${c.topology})` : ''}`;
    // Input errors start nothing and each works in a folder of its own: four at a time. The rest
    // (what runs, what touches the shared good reports) one at a time.
    const alone = (c: Case) => update || c.exit !== 2 || JSON.stringify(c).includes('$GOOD');
    describe('input errors, four at a time', { concurrency: 4 }, () => {
      for (const c of cases.filter((x) => !alone(x))) it(name(c), check(c));
    });
    describe('the rest, one at a time', () => {
      for (const c of cases.filter(alone)) it(name(c), check(c));
    });
  });
}
