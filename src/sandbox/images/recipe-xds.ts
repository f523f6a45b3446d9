// The lab's xDS control plane: the host's Node.js plus the control plane bundled into one file by
// `npm run build`, with the Envoy protos @grpc/grpc-js-xds ships and the lab's.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { packageRoot } from '../../util/paths.js';
import { defineRecipe } from './recipe.js';
import { sharedLibraries, walkFiles } from './rootfs.js';

export function xdsBundleDir(): string {
  return path.join(packageRoot(), 'dist', 'xds-image');
}

export default defineRecipe('xds', {
  repository: 'lab/xds',
  async rootfs() {
    const bundle = xdsBundleDir();
    if (!existsSync(path.join(bundle, 'lib/xds/server.cjs'))) {
      throw new EnvironmentError(`the xDS control plane bundle is missing (${bundle}).`, { hint: 'Build it: `npm run build`.' });
    }
    const node = process.execPath;
    return {
      rootfs: { files: [{ src: node, dest: '/usr/bin/node' }, ...(await sharedLibraries(node)), ...walkFiles(bundle, '/app')], dirs: ['/tmp', '/etc'] },
      changes: [
        'ENV PATH=/usr/bin:/bin',
        'ENV LAB_PROTO_DIR=/app/protos',
        'ENV LAB_XDS_DEPS=/app/deps',
        'ENV HOME=/tmp',
        `ENTRYPOINT ${JSON.stringify(['/usr/bin/node', '--max-old-space-size=128', '/app/lib/xds/server.cjs'])}`,
        'LABEL dev.lab.image=xds',
      ],
    };
  },
});
