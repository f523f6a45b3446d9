// docs/architecture.md draws what lint/rooms.js says and the lab/rooms lint rule enforces: the rooms,
// what each owns, the arrows allowed, the reason for the rest, the rooms without a door, the
// programs. The page fails this test as soon as it and the data disagree, and every folder and top
// file of src/ must be a room, so a new one cannot slip past both.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { NO_DOOR, ROOMS } from '../../lint/rooms.js';
import { ROOT } from '../helpers/lab.js';

const page = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');

function section(name: string): string[] {
  const m = new RegExp(`<!-- ${name}:begin -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(page);
  assert.ok(m, `docs/architecture.md has no ${name} section`);
  return m[1].split('\n').filter((l) => l.trim());
}

const bullets = (name: string) =>
  Object.fromEntries(
    section(name).map((l) => {
      const m = /^- `([^`]+)`: (.*)$/.exec(l);
      assert.ok(m, `not a "- \`room\`: text" line: ${l}`);
      return [m[1], m[2]];
    }),
  );

describe('docs/architecture.md draws lint/rooms.js', () => {
  it('the rooms table: each room, what it owns and the rooms it may import', () => {
    const rows = section('rooms')
      .slice(2)
      .map((l) => l.split('|').map((c) => c.trim()));
    const onPage = Object.fromEntries(rows.map(([, room, is, may]) => [room.replace(/`/g, ''), { is, may }]));
    assert.deepEqual(Object.keys(onPage).sort(), Object.keys(ROOMS).sort());
    for (const [name, room] of Object.entries(ROOMS)) {
      assert.equal(onPage[name].is, room.is, `${name}: what it owns`);
      const may = [...room.may, ...(room.types ?? []).map((t) => `${t} (types)`)];
      assert.equal(onPage[name].may, may.length ? may.join(', ') : '(nothing)', `${name}: may import`);
    }
  });

  it('the reasons are the lint messages', () => {
    assert.deepEqual(bullets('why'), Object.fromEntries(Object.entries(ROOMS).map(([k, r]) => [k, r.why])));
  });

  it('the rooms without a door, with why', () => {
    assert.deepEqual(bullets('no-door'), NO_DOOR);
  });

  it('the programs table names the programs', () => {
    const programs = [...page.matchAll(/^\| `src\/([a-z-]+)` \|/gm)].map((m) => m[1]).sort();
    assert.deepEqual(
      programs,
      Object.keys(ROOMS)
        .filter((r) => ROOMS[r].program)
        .sort(),
    );
  });

  it('every folder and top file of src/ is a room, and every room exists', () => {
    const src = path.join(ROOT, 'src');
    const found = readdirSync(src).map((n) => (statSync(path.join(src, n)).isDirectory() ? n : n.replace(/\.tsx?$/, '')));
    assert.deepEqual([...found, 'generated'].sort(), Object.keys(ROOMS).sort());
    for (const room of Object.keys(ROOMS).filter((r) => !(r in NO_DOOR))) {
      assert.ok(readdirSync(path.join(src, room)).includes('index.ts') || ROOMS[room].program, `src/${room} has a door (index.ts)`);
    }
  });
});
