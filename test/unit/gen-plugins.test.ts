// The plug-in lists are committed and checked: `gen-plugins --check` fails naming a list its folder's
// files no longer match (a plug-in added without `npm run gen`), and writes nothing; a run without
// --check writes it, and the check passes again.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../helpers/lab.js';

const GEN = path.join(ROOT, 'scripts/gen-plugins.mjs');
const FOLDERS = {
  'src/traffic/resolvers': 'export function setup() {}\n',
  'src/traffic/balancers': 'export function setup() {}\n',
  'src/scenario/actions': 'export default {};\n',
  'src/scenario/expectations': 'export default {};\n',
  'src/sandbox/images': 'export default {};\n',
};

describe('plug-in lists (scripts/gen-plugins.mjs)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'lab-gen-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const gen = (...args: string[]) => execa(process.execPath, [GEN, '--root', root, ...args], { reject: false });

  it('the committed lists match their folders', async () => {
    const r = await execa(process.execPath, [GEN, '--check'], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
  });

  it('a plug-in added without npm run gen fails the check, which names the list and writes nothing', async () => {
    for (const [dir, body] of Object.entries(FOLDERS)) {
      mkdirSync(path.join(root, dir), { recursive: true });
      writeFileSync(path.join(root, dir, 'first.ts'), body);
      writeFileSync(path.join(root, dir, 'helper.ts'), 'export const notAPlugin = 1;\n');
    }
    assert.equal((await gen()).exitCode, 0);
    assert.equal((await gen('--check')).exitCode, 0);
    const list = path.join(root, 'src/traffic/balancers/plugins.generated.ts');
    assert.match(readFileSync(list, 'utf8'), /first\.js/);
    assert.doesNotMatch(readFileSync(list, 'utf8'), /helper\.js/);

    writeFileSync(path.join(root, 'src/traffic/balancers/second.ts'), FOLDERS['src/traffic/balancers']);
    const before = readFileSync(list, 'utf8');
    const r = await gen('--check');
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /src\/traffic\/balancers\/plugins\.generated\.ts/);
    assert.doesNotMatch(r.stderr, /resolvers/);
    assert.match(r.stderr, /npm run gen/);
    assert.equal(readFileSync(list, 'utf8'), before);

    assert.equal((await gen()).exitCode, 0);
    assert.match(readFileSync(list, 'utf8'), /second\.js/);
    assert.equal((await gen('--check')).exitCode, 0);
  });

  it('a missing registry folder is an error, not an empty list', async () => {
    rmSync(path.join(root, 'src/sandbox/images'), { recursive: true, force: true });
    const r = await gen('--check');
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /src\/sandbox\/images is missing/);
    assert.equal(existsSync(path.join(root, 'src/sandbox/images/plugins.generated.ts')), false);
  });
});
