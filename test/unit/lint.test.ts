// The architecture's import boundaries are one lint rule (lab/rooms over lint/rooms.js), and npm test
// runs the linter: a file that imports across a forbidden boundary, or past a room's door, fails it.
// Linted as if it lived there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../helpers/lab.js';
import { NO_DOOR, ROOMS } from '../../lint/rooms.js';

const eslint = new ESLint({ cwd: ROOT });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${filePath}` });
  return result.messages.filter((m) => m.ruleId === 'lab/rooms').map((m) => m.message);
}

describe('import boundaries (npm run lint)', () => {
  it('the traffic engine may not import the sandbox', async () => {
    const errors = await boundaryErrors('src/traffic/driver/probe.ts', "import { up } from '../../sandbox/index.js';\nexport const x = up;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /the traffic engine works against any gRPC cluster/);
  });

  it('the sandbox may not import the traffic engine or the agent, not even a type', async () => {
    for (const code of [
      "import type { TrafficClients } from '../../traffic/index.js';\nexport type X = TrafficClients;\n",
      "import { engineFor } from '../../engine/index.js';\nexport const x = engineFor;\n",
    ]) {
      const errors = await boundaryErrors('src/sandbox/runtime/probe.ts', code);
      assert.equal(errors.length, 1, code);
      assert.match(errors[0], /the sandbox knows only containers and registries/);
    }
    const agent = await boundaryErrors('src/sandbox/runtime/probe.ts', "import type { X } from '../../agent/client.js';\nexport type Y = X;\n");
    assert.equal(agent.length, 1);
    assert.match(agent[0], /src\/agent is a program: it is entered, not imported/);
    assert.deepEqual(await boundaryErrors('src/sandbox/runtime/probe.ts', "import { log } from '../../util/log.js';\nexport const x = log;\n"), []);
  });

  it('the echo server may not import the rest of the lab, but may take src/util and generated types', async () => {
    const code =
      "import { parseDuration } from '../util/duration.js';\nimport { sinkFor } from '../traffic/sink.js';\nimport type { Stats } from '../grpc/generated/lab/control/v1/Stats.js';\nexport const x = (s: Stats) => [parseDuration(s.id), sinkFor];\n";
    const errors = await boundaryErrors('src/echo/probe.ts', code);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /bundled alone/);
    assert.match(errors[0], /only src\/util, src\/wire, src\/h2 \(the sidecar relays calls with it\) and generated types/);
    const valueImport = await boundaryErrors('src/echo/probe.ts', "import { labProtos } from '../grpc/load.js';\nexport const x = labProtos;\n");
    assert.equal(valueImport.length, 1);
  });

  it('src/wire (what writers and readers share) imports nothing of the lab; the echo server may take it', async () => {
    const errors = await boundaryErrors('src/wire/probe.ts', "import { log } from '../util/log.js';\nexport const x = log;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /src\/wire is what writers and readers share/);
    assert.deepEqual(
      await boundaryErrors('src/echo/probe.ts', "import type { EtcdRegistration } from '../wire/index.js';\nexport type X = EtcdRegistration;\n"),
      [],
    );
  });

  it('the xDS control plane (bundled alone) may not import the sandbox, but may take src/util', async () => {
    const errors = await boundaryErrors(
      'src/control-plane/probe.ts',
      "import { up } from '../sandbox/index.js';\nimport { Backoff } from '../util/backoff.js';\nexport const x = [up, Backoff];\n",
    );
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /bundled alone/);
  });

  it('the engine may not import the screen', async () => {
    const errors = await boundaryErrors('src/scenario/probe.ts', "import { playWithView } from '../view/index.js';\nexport const x = playWithView;\n");
    assert.match(errors.join('\n'), /knows no screen/);
  });

  it('callers reach src/traffic through its index only', async () => {
    const errors = await boundaryErrors('src/view/probe.ts', "import { ClientSet } from '../traffic/driver/client-set.js';\nexport const x = ClientSet;\n");
    assert.match(errors.join('\n'), /through its door, src\/traffic\/index\.js/);
    assert.deepEqual(await boundaryErrors('src/view/probe.ts', "import { ClientSet } from '../traffic/index.js';\nexport const x = ClientSet;\n"), []);
  });

  it('every room with a door is reached through it, from every room that may import it', async () => {
    let checked = 0;
    for (const [from, room] of Object.entries(ROOMS)) {
      if (['errors', 'setup', 'generated'].includes(from)) continue;
      for (const to of room.may.filter((r) => !(r in NO_DOOR))) {
        const at = `src/${from}/probe.ts`;
        const deep = await boundaryErrors(at, `import { x } from '../${to}/deep/inside.js';\nexport const y = x;\n`);
        assert.equal(deep.length, 1, `${from} -> ${to}/deep`);
        assert.match(deep[0], new RegExp(`through its door, src/${to}/index\\.js`));
        assert.deepEqual(await boundaryErrors(at, `import { x } from '../${to}/index.js';\nexport const y = x;\n`), [], `${from} -> ${to}/index`);
        checked++;
      }
    }
    assert.ok(checked > 40, `${checked} doors`);
  });

  it('a room allowed only types from another is refused a value from it', async () => {
    assert.deepEqual(await boundaryErrors('src/scenario/probe.ts', "import type { RunContext } from '../run/index.js';\nexport type X = RunContext;\n"), []);
    const value = await boundaryErrors('src/scenario/probe.ts', "import { RunContext } from '../run/index.js';\nexport const x = RunContext;\n");
    assert.equal(value.length, 1);
    assert.match(value[0], /only types: use import type/);
  });

  it('no room imports a program, and nothing but the CLI opens the view', async () => {
    for (const program of Object.keys(ROOMS).filter((r) => ROOMS[r].program)) {
      const errors = await boundaryErrors('src/view/probe.ts', `import { x } from '../${program}/index.js';\nexport const y = x;\n`);
      assert.equal(errors.length, 1, program);
    }
    for (const from of Object.keys(ROOMS).filter((r) => r !== 'cli' && r !== 'view' && !['errors', 'setup', 'generated'].includes(r))) {
      const errors = await boundaryErrors(`src/${from}/probe.ts`, "import { runWatch } from '../view/index.js';\nexport const y = runWatch;\n");
      assert.equal(errors.length, 1, from);
    }
  });

  it('refuses a timeout inside AbortSignal.any(), which Node 20 may collect before it fires', async () => {
    const [result] = await eslint.lintText('export const s = AbortSignal.any([new AbortController().signal, AbortSignal.timeout(500)]);\n', {
      filePath: `${ROOT}/src/util/probe.ts`,
    });
    const messages = result.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
    assert.equal(messages.length, 1);
    assert.match(messages[0], /nodejs\/node#57736.*deadline\(\)/);
  });

  it('the code as it is passes', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts', 'src/**/*.tsx']);
    const errors = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line}: ${m.message}`));
    assert.deepEqual(errors, []);
  });
});
