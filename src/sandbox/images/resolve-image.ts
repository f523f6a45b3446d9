// Picks the image for a service: a local one, a pulled one (only when asked), or an assembled one.
import { EnvironmentError } from '../../errors.js';
import type { ImageSpec } from '../../topology/index.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { getRecipe, type Recipe } from './recipe.js';
import { binaryRecipe } from './binary-image.js';
import { packRootfs, rootfsHash } from './rootfs.js';

export type ImageEvent =
  | { kind: 'found'; ref: string }
  | { kind: 'pulling'; ref: string; progress?: string }
  | { kind: 'assembling'; ref: string }
  | { kind: 'assembled'; ref: string; ms: number };

/** The lab's own images (lab/...) are always assembled by content; others are used if present. */
const isOurs = (ref: string) => ref.startsWith('lab/');

export async function resolveImage(rt: ContainerRuntime, spec: ImageSpec, onEvent: (e: ImageEvent) => void = () => undefined): Promise<string> {
  // A host executable of yours (x-lab.binary): assembled, and tagged by its content, as the lab's own are.
  if (spec.binary) return assemble(rt, binaryRecipe(spec.ref, spec.binary), onEvent);
  if (!isOurs(spec.ref)) {
    if (await rt.imageId(spec.ref)) {
      onEvent({ kind: 'found', ref: spec.ref });
      return spec.ref;
    }
    if (spec.pull) {
      onEvent({ kind: 'pulling', ref: spec.ref });
      try {
        await rt.pullImage(spec.ref, (progress) => onEvent({ kind: 'pulling', ref: spec.ref, progress }));
      } catch (err) {
        throw new EnvironmentError(`cannot pull ${spec.ref}: ${(err as Error).message}`, {
          hint: 'Check the registry is reachable, or drop --pull to assemble the image locally.',
          cause: err,
        });
      }
      return spec.ref;
    }
  }
  const recipe = spec.assemble ? getRecipe(spec.assemble) : undefined;
  if (!recipe) {
    throw new EnvironmentError(`image ${spec.ref} is not present locally and the lab has no recipe to assemble it.`, {
      hint: `Build or pull it yourself (docker pull ${spec.ref}), run with --pull, or set x-lab.assemble in the topology (x-lab.binary for a server of yours).`,
    });
  }
  return assemble(rt, recipe, onEvent);
}

async function assemble(rt: ContainerRuntime, recipe: Pick<Recipe, 'repository' | 'rootfs'>, onEvent: (e: ImageEvent) => void): Promise<string> {
  const { rootfs, changes } = await recipe.rootfs();
  const ref = `${recipe.repository}:${rootfsHash(rootfs, changes)}`;
  if (await rt.imageId(ref)) {
    onEvent({ kind: 'found', ref });
    return ref;
  }
  onEvent({ kind: 'assembling', ref });
  const started = Date.now();
  await rt.importImage(packRootfs(rootfs), ref, changes);
  onEvent({ kind: 'assembled', ref, ms: Date.now() - started });
  return ref;
}
