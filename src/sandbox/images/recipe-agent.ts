// The lab's agent (used on a swarm): the host's Node.js plus the agent bundle `npm run build`
// writes (the traffic driver and the router), with the protos its libraries load.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { packageRoot } from '../../util/paths.js';
import { defineRecipe } from './recipe.js';
import { sharedLibraries, walkFiles } from './rootfs.js';

export default defineRecipe('agent', {
  repository: 'lab/agent',
  async rootfs() {
    const bundle = path.join(packageRoot(), 'dist', 'agent-image');
    if (!existsSync(path.join(bundle, 'lib/agent/agent.cjs'))) {
      throw new EnvironmentError(`the agent bundle is missing (${bundle}).`, { hint: 'Build it: `npm run build`.' });
    }
    const node = process.execPath;
    return {
      rootfs: {
        files: [
          { src: node, dest: '/usr/bin/node' },
          ...(await sharedLibraries(node)),
          ...walkFiles(bundle, '/app'),
          // grpc-js-xds's modules a folder deeper look for Envoy's protos at ../../../deps: from the
          // bundle's folder (/app/lib/agent) that is /deps.
          ...walkFiles(path.join(bundle, 'deps'), '/deps'),
        ],
        dirs: ['/tmp', '/etc'],
      },
      changes: [
        'ENV PATH=/usr/bin:/bin',
        'ENV LAB_PROTO_DIR=/app/protos',
        'ENV LAB_XDS_DEPS=/app/deps',
        'ENV HOME=/tmp',
        `ENTRYPOINT ${JSON.stringify(['/usr/bin/node', '--max-old-space-size=256', '/app/lib/agent/agent.cjs'])}`,
        'LABEL dev.lab.image=agent',
      ],
    };
  },
});
