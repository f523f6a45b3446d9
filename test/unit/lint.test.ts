// The architecture's import boundaries are lint rules (eslint.config.js), and npm test runs the
// linter: a file that imports across a forbidden boundary fails it. Linted as if it lived there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../helpers/lab.js';

const eslint = new ESLint({ cwd: ROOT });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${filePath}` });
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
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
      "import type { AgentSpec } from '../../agent/protocol.js';\nexport type X = AgentSpec;\n",
      "import { engineFor } from '../../engine/index.js';\nexport const x = engineFor;\n",
    ]) {
      const errors = await boundaryErrors('src/sandbox/runtime/probe.ts', code);
      assert.equal(errors.length, 1, code);
      assert.match(errors[0], /the sandbox knows only containers and registries/);
    }
    assert.deepEqual(await boundaryErrors('src/sandbox/runtime/probe.ts', "import { log } from '../../util/log.js';\nexport const x = log;\n"), []);
  });

  it('the echo server may not import the rest of the lab, but may take src/util and generated types', async () => {
    const code =
      "import { parseDuration } from '../util/duration.js';\nimport { sinkFor } from '../traffic/sink.js';\nimport type { Stats } from '../grpc/generated/lab/control/v1/Stats.js';\nexport const x = (s: Stats) => [parseDuration(s.id), sinkFor];\n";
    const errors = await boundaryErrors('src/echo/probe.ts', code);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /bundled alone/);
    assert.match(errors[0], /only src\/util/);
    const valueImport = await boundaryErrors('src/echo/probe.ts', "import { labProtos } from '../grpc/load.js';\nexport const x = labProtos;\n");
    assert.equal(valueImport.length, 1);
  });

  it('src/wire (what writers and readers share) imports nothing of the lab; the echo server may take it', async () => {
    const errors = await boundaryErrors('src/wire/probe.ts', "import { log } from '../util/log.js';\nexport const x = log;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /src\/wire is what writers and readers share/);
    assert.deepEqual(
      await boundaryErrors('src/echo/probe.ts', "import type { EtcdRegistration } from '../wire/registration.js';\nexport type X = EtcdRegistration;\n"),
      [],
    );
  });

  it('the xDS control plane (bundled alone) may not import the sandbox, but may take src/util', async () => {
    const errors = await boundaryErrors(
      'src/xds/server/probe.ts',
      "import { up } from '../../sandbox/index.js';\nimport { Backoff } from '../../util/backoff.js';\nexport const x = [up, Backoff];\n",
    );
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /bundled alone/);
  });

  it('the engine may not import the screen', async () => {
    const errors = await boundaryErrors('src/scenario/probe.ts', "import { mountView } from '../view/mount.js';\nexport const x = mountView;\n");
    assert.match(errors.join('\n'), /knows no screen/);
  });

  it('callers reach src/traffic through its index only', async () => {
    const errors = await boundaryErrors('src/view/probe.ts', "import { ClientSet } from '../traffic/driver/client-set.js';\nexport const x = ClientSet;\n");
    assert.match(errors.join('\n'), /through their index\.js/);
    assert.deepEqual(await boundaryErrors('src/view/probe.ts', "import { ClientSet } from '../traffic/index.js';\nexport const x = ClientSet;\n"), []);
  });

  it('the code as it is passes', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts', 'src/**/*.tsx']);
    const errors = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line}: ${m.message}`));
    assert.deepEqual(errors, []);
  });
});
