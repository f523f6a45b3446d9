// Consul from Debian bullseye's package, unpacked into the lab's cache by scripts/setup.sh.
import path from 'node:path';
import { cacheDir } from '../../util/paths.js';
import { findBinary } from './find-binary.js';
import { defineRecipe } from './recipe.js';
import { sharedLibraries } from './rootfs.js';

export default defineRecipe('consul', {
  repository: 'lab/consul',
  async rootfs() {
    const consul = findBinary(
      'consul',
      [process.env.LAB_CONSUL_BIN ?? '', path.join(cacheDir(), 'consul/usr/bin/consul')],
      "Run `bash scripts/setup.sh`: it downloads Debian bullseye's consul package into the lab's cache (never system-wide).",
    );
    return {
      rootfs: { files: [{ src: consul, dest: '/usr/bin/consul' }, ...(await sharedLibraries(consul))], dirs: ['/tmp', '/etc'] },
      changes: ['ENV PATH=/usr/bin:/bin', 'ENTRYPOINT ["/usr/bin/consul"]', 'LABEL dev.lab.image=consul'],
    };
  },
});
