// HAProxy from Debian's haproxy package, with the lab's configuration (compose/haproxy.cfg).
import path from 'node:path';
import { packageRoot } from '../../util/paths.js';
import { findBinary } from './find-binary.js';
import { defineRecipe } from './recipe.js';
import { sharedLibraries } from './rootfs.js';

export default defineRecipe('proxy', {
  repository: 'lab/haproxy',
  async rootfs() {
    const haproxy = findBinary(
      'haproxy',
      [process.env.LAB_HAPROXY_BIN ?? '', '/usr/sbin/haproxy'],
      'Install it: `sudo apt-get install haproxy` (or run `bash scripts/setup.sh`).',
    );
    return {
      rootfs: {
        files: [
          { src: haproxy, dest: '/usr/sbin/haproxy' },
          ...(await sharedLibraries(haproxy)),
          { src: path.join(packageRoot(), 'compose/haproxy.cfg'), dest: '/etc/haproxy/haproxy.cfg' },
        ],
        dirs: ['/tmp', '/etc'],
      },
      changes: [
        'ENV PATH=/usr/sbin:/usr/bin:/bin',
        'ENTRYPOINT ["/usr/sbin/haproxy"]',
        'CMD ["-f", "/etc/haproxy/haproxy.cfg", "-db"]',
        'LABEL dev.lab.image=haproxy',
      ],
    };
  },
});
