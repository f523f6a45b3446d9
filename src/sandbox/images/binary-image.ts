// A server of yours from a host executable (x-lab.binary): the binary and the shared libraries `ldd`
// lists, as the lab assembles etcd's; its ENTRYPOINT is the binary, so the service's `command` is its
// arguments. Tagged by content in the image's repository (the tag the topology gives is not used).
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../../errors.js';
import type { Recipe } from './recipe.js';
import { sharedLibraries } from './rootfs.js';

export function binaryRecipe(ref: string, binary: string): Pick<Recipe, 'repository' | 'rootfs'> {
  const repository = ref.replace(/@.*$/, '').replace(/:[\w][\w.-]*$/, '');
  return {
    repository,
    async rootfs() {
      try {
        accessSync(binary, constants.X_OK);
      } catch {
        throw new EnvironmentError(`x-lab.binary ${binary} is not an executable file on this machine.`, {
          hint: 'Build it first (examples/servers/go/build.sh builds the example server), or fix the path; it is relative to the topology file.',
        });
      }
      const dest = `/usr/local/bin/${path.basename(binary)}`;
      return {
        rootfs: { files: [{ src: binary, dest }, ...(await sharedLibraries(binary))], dirs: ['/tmp', '/etc'] },
        changes: ['ENV PATH=/usr/local/bin:/usr/bin:/bin', `ENTRYPOINT ${JSON.stringify([dest])}`, 'LABEL dev.lab.image=server'],
      };
    },
  };
}
