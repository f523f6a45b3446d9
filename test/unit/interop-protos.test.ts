// grpc's interop protos as the lab writes them (protos/grpc/testing) against the copy Debian's
// grpc-go package carries (golang-google-grpc-dev, which scripts/setup.sh installs for the Go
// example client): the wire contract is the names and numbers, so every message and field the two
// share must have the same number, type and label, and every TestService method both declare the
// same request and response.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ROOT } from '../helpers/lab.js';

const DEBIAN = '/usr/share/gocode/src/google.golang.org/grpc/test/grpc_testing/test.proto';

interface Field {
  name: string;
  number: number;
  type: string;
  label: string;
  typeName: string;
}

/** Each message of the package: its fields by name. */
function messages(def: PackageDefinition): Map<string, Map<string, Field>> {
  const out = new Map<string, Map<string, Field>>();
  for (const [name, d] of Object.entries(def)) {
    const t = (d as { type?: { field?: Field[] } }).type;
    if (!name.startsWith('grpc.testing.') || !t?.field) continue;
    out.set(name, new Map(t.field.map((f) => [f.name, f])));
  }
  return out;
}

describe("grpc's interop protos, as the lab has them", () => {
  const opts = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
  const ours = loadSync(path.join(ROOT, 'protos/grpc/testing/test.proto'), { ...opts, includeDirs: [path.join(ROOT, 'protos')] });

  it('agree with Debian’s copy on every message, field and method they share', () => {
    assert.ok(existsSync(DEBIAN), `${DEBIAN} is missing: scripts/setup.sh installs golang-google-grpc-dev`);
    const theirs = loadSync(DEBIAN, opts);
    const a = messages(ours);
    const b = messages(theirs);
    const shared = [...b.keys()].filter((m) => a.has(m));
    assert.ok(shared.length >= 8, `${shared.length} messages in common: ${shared.join(', ')}`);
    let fields = 0;
    for (const m of shared)
      for (const [name, f] of b.get(m)!) {
        const mine = a.get(m)!.get(name);
        if (!mine) continue;
        fields++;
        assert.deepEqual(
          { number: mine.number, type: mine.type, label: mine.label, typeName: mine.typeName.replace(/^\.?/, '.') },
          { number: f.number, type: f.type, label: f.label, typeName: f.typeName.replace(/^\.?/, '.') },
          `${m}.${name}`,
        );
      }
    assert.ok(fields >= 15, `${fields} fields compared`);
    const methods = (def: PackageDefinition) =>
      def['grpc.testing.TestService'] as Record<string, { path: string; requestType: { type: { name: string } }; responseType: { type: { name: string } } }>;
    for (const [name, m] of Object.entries(methods(theirs))) {
      const mine = methods(ours)[name];
      if (!mine) continue;
      assert.equal(mine.path, m.path);
      assert.equal(mine.requestType.type.name, m.requestType.type.name, `${name} request`);
      assert.equal(mine.responseType.type.name, m.responseType.type.name, `${name} response`);
    }
  });

  it('declare what the xDS test cases use: hostname and server_id, the stats and configure services', () => {
    const a = messages(ours);
    assert.equal(a.get('grpc.testing.SimpleResponse')!.get('hostname')!.number, 6);
    assert.equal(a.get('grpc.testing.SimpleResponse')!.get('server_id')!.number, 4);
    assert.equal(a.get('grpc.testing.SimpleRequest')!.get('fill_server_id')!.number, 9);
    for (const s of ['LoadBalancerStatsService', 'XdsUpdateClientConfigureService', 'XdsUpdateHealthService', 'TestService'])
      assert.ok(ours[`grpc.testing.${s}`], s);
  });
});
