// etcd from Debian's etcd-server (and etcdctl from etcd-client when present).
import { existsSync } from 'node:fs';
import { findBinary } from './find-binary.js';
import { defineRecipe } from './recipe.js';
import { sharedLibraries, type RootfsFile } from './rootfs.js';

export default defineRecipe('etcd', {
  repository: 'lab/etcd',
  async rootfs() {
    const etcd = findBinary('etcd', [process.env.LAB_ETCD_BIN ?? ''], 'Install it: `sudo apt-get install etcd-server` (or run `bash scripts/setup.sh`).');
    const files: RootfsFile[] = [{ src: etcd, dest: '/usr/bin/etcd' }, ...(await sharedLibraries(etcd))];
    if (existsSync('/usr/bin/etcdctl')) files.push({ src: '/usr/bin/etcdctl', dest: '/usr/bin/etcdctl' });
    return {
      rootfs: { files, dirs: ['/tmp', '/etc'], writableDirs: ['/var/lib/etcd'] },
      changes: ['ENV PATH=/usr/bin:/bin', 'ENTRYPOINT ["/usr/bin/etcd"]', 'LABEL dev.lab.image=etcd'],
    };
  },
});
