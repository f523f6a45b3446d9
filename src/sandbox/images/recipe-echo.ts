// The echo server: the host's Node.js plus the echo bundle that `npm run build` writes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { packageRoot } from '../../util/paths.js';
import { defineRecipe } from './recipe.js';
import { sharedLibraries, walkFiles } from './rootfs.js';

/** The echo bundle's folder: lib/echo/server.cjs, the protos its libraries load, our protos. */
export function echoBundleDir(): string {
  return path.join(packageRoot(), 'dist', 'echo-image');
}

/**
 * Node flags of every echo server. Its heap is small (~10 MB), so the young and old spaces are
 * capped. V8's memory reducer is off: it ran a major GC every few seconds in an idle echo server
 * (0.3–0.6% of a core each, measured outside a container), to shrink a 10 MB heap.
 */
export const ECHO_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=64', '--stack-size=512', '--no-memory-reducer'];

export default defineRecipe('echo', {
  repository: 'lab/echo',
  async rootfs() {
    const bundle = echoBundleDir();
    if (!existsSync(path.join(bundle, 'lib/echo/server.cjs')) || !existsSync(path.join(bundle, 'lib/echo/sidecar.cjs'))) {
      throw new EnvironmentError(`the echo server bundle is missing (${bundle}).`, { hint: 'Build it: `npm run build`.' });
    }
    const node = process.execPath;
    return {
      rootfs: {
        files: [{ src: node, dest: '/usr/bin/node' }, ...(await sharedLibraries(node)), ...walkFiles(bundle, '/app')],
        dirs: ['/tmp', '/etc'],
      },
      changes: [
        'ENV PATH=/usr/bin:/bin',
        'ENV LAB_PROTO_DIR=/app/protos',
        'ENV HOME=/tmp',
        `ENTRYPOINT ${JSON.stringify(['/usr/bin/node', ...ECHO_NODE_FLAGS, '/app/lib/echo/server.cjs'])}`,
        'LABEL dev.lab.image=echo',
      ],
    };
  },
});
