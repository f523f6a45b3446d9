// How the lab assembles an image locally when it cannot use one: the contract and the registry.
// One file per recipe (recipe-<role>.ts, exporting its definition); the list is generated.
import type { Role } from '../../topology/schema.js';
import type { Rootfs } from './rootfs.js';

export interface Recipe {
  /** The role whose image it assembles (x-lab.assemble). */
  role: Role;
  /** Image repository the assembled image is tagged in; the tag is the content hash. */
  repository: string;
  /** The root filesystem (binary, its libraries, files) and Dockerfile-style changes. */
  rootfs(): Promise<{ rootfs: Rootfs; changes: string[] }>;
}

const recipes = new Map<Role, Recipe>();

/** A recipe file's default export: `export default defineRecipe('echo', { ... })`. */
export function defineRecipe(role: Role, recipe: Omit<Recipe, 'role'>): Recipe {
  return { role, ...recipe };
}

export function registerRecipe(recipe: Recipe): void {
  recipes.set(recipe.role, recipe);
}

export function getRecipe(role: Role): Recipe | undefined {
  return recipes.get(role);
}
