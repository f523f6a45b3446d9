// How the lab assembles an image locally when it cannot use one: the contract and the registry.
import type { Role } from '../../topology/schema.js';
import type { Rootfs } from './rootfs.js';

export interface Recipe {
  /** Image repository the assembled image is tagged in; the tag is the content hash. */
  repository: string;
  /** The root filesystem (binary, its libraries, files) and Dockerfile-style changes. */
  rootfs(): Promise<{ rootfs: Rootfs; changes: string[] }>;
}

const recipes = new Map<Role, Recipe>();

export function registerRecipe(role: Role, recipe: Recipe): void {
  recipes.set(role, recipe);
}

export function getRecipe(role: Role): Recipe | undefined {
  return recipes.get(role);
}
