// Builds the CLI (dist/cli/main.js, split into chunks), the echo image's bundle (dist/echo-image/),
// the xDS control plane's (dist/xds-image/) and the swarm agent's (dist/agent-image/): each server in
// one file plus the .proto files it and its libraries load at run time. The registries' plug-in lists
// (committed) are checked first: a stale one fails the build (`npm run gen` writes them).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const nm = (p) => path.join(root, 'node_modules', p);
try {
  execFileSync(process.execPath, [path.join(root, 'scripts/gen-plugins.mjs'), '--check'], { stdio: 'inherit' });
} catch {
  process.exit(1);
}

/** One server of an image, bundled alone into one CommonJS file under dist/<image>/ (made afresh); returns that folder. */
async function bundleImage(image, entry, outfile, options = {}) {
  const dir = path.join(dist, image);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await bundleInto(dir, entry, outfile, options);
  return dir;
}

/** One more program into an image's folder, bundled alone as well. */
async function bundleInto(dir, entry, outfile, options = {}) {
  await build({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(dir, outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    legalComments: 'none',
    ...options,
  });
}

// The echo server, alone: it imports nothing from the rest of src/.
const echo = await bundleImage('echo-image', 'src/echo/main.ts', 'lib/echo/server.cjs');
// The sidecar of a server the lab did not write, beside it in the same image (its own entry point).
await bundleInto(echo, 'src/echo/sidecar/main.ts', 'lib/echo/sidecar.cjs');
// Bundled libraries find their .proto files relative to __dirname (= lib/echo):
// grpc-health-check, @grpc/reflection and grpc-js's ORCA at ../../proto, etcd3 at ../proto.
cpSync(nm('grpc-health-check/proto'), path.join(echo, 'proto'), { recursive: true });
cpSync(nm('@grpc/reflection/build/proto'), path.join(echo, 'proto'), { recursive: true });
cpSync(nm('etcd3/proto'), path.join(echo, 'lib/proto'), { recursive: true });
// grpc-js's ORCA (load reports) loads its protos from ../../proto too.
cpSync(nm('@grpc/grpc-js/proto/xds'), path.join(echo, 'proto/xds'), { recursive: true });
cpSync(nm('@grpc/grpc-js/proto/protoc-gen-validate'), path.join(echo, 'proto/protoc-gen-validate'), { recursive: true });
cpSync(path.join(root, 'protos'), path.join(echo, 'protos'), { recursive: true });

// The xDS control plane, alone too: ADS, LRS and XdsControl on grpc-js, endpoints from Consul or
// etcd. It loads Envoy's protos (as @grpc/grpc-js-xds ships them) from deps/, ours from protos/.
const xds = await bundleImage('xds-image', 'src/control-plane/main.ts', 'lib/xds/server.cjs');
cpSync(nm('grpc-health-check/proto'), path.join(xds, 'proto'), { recursive: true });
cpSync(nm('etcd3/proto'), path.join(xds, 'lib/proto'), { recursive: true });
cpSync(nm('@grpc/grpc-js-xds/deps'), path.join(xds, 'deps'), { recursive: true });
cpSync(path.join(root, 'protos'), path.join(xds, 'protos'), { recursive: true });

// The agent (a swarm's traffic clients and its gateway): the traffic driver and the router, alone.
const agent = await bundleImage('agent-image', 'src/agent/main.ts', 'lib/agent/agent.cjs', {
  // The package root is never looked for in the image (LAB_PROTO_DIR says where the protos are).
  define: { 'import.meta.url': '"file:///app/lib/agent/agent.cjs"' },
});
// Its libraries' protos where they look for them (relative to lib/agent), ours in protos/.
cpSync(nm('grpc-health-check/proto'), path.join(agent, 'proto'), { recursive: true });
cpSync(nm('etcd3/proto'), path.join(agent, 'lib/proto'), { recursive: true });
cpSync(nm('@grpc/grpc-js/proto/xds'), path.join(agent, 'proto/xds'), { recursive: true });
cpSync(nm('@grpc/grpc-js/proto/protoc-gen-validate'), path.join(agent, 'proto/protoc-gen-validate'), { recursive: true });
cpSync(nm('@grpc/grpc-js-xds/deps'), path.join(agent, 'deps'), { recursive: true });
// grpc-js-xds's RE2 (WebAssembly) looks for its module beside the bundle.
cpSync(nm('re2-wasm/build/wasm/re2.wasm'), path.join(agent, 'lib/agent/re2.wasm'));
cpSync(path.join(root, 'protos'), path.join(agent, 'protos'), { recursive: true });

// The CLI: our code as ESM, npm packages left as imports; split so that what only some commands
// need (ink for the terminal UI) loads only when they run.
rmSync(path.join(dist, 'cli'), { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(root, 'src/cli/main.ts') },
  outdir: path.join(dist, 'cli'),
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  jsx: 'automatic',
  sourcemap: 'linked',
  logLevel: 'warning',
});
