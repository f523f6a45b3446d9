// How the lab assembles an image locally when it cannot use one: the contract and the registry.
// One file per recipe (recipe-<role>.ts, exporting its definition); the list is generated.
import type { Rootfs } from './rootfs.js';

export type { RecipeKind } from '../../topology/index.js';
import type { RecipeKind } from '../../topology/index.js';

export interface Recipe {
  /** The role whose image it assembles (x-lab.assemble), or `agent`. */
  role: RecipeKind;
  /** Image repository the assembled image is tagged in; the tag is the content hash. */
  repository: string;
  /** The root filesystem (binary, its libraries, files) and Dockerfile-style changes. */
  rootfs(): Promise<{ rootfs: Rootfs; changes: string[] }>;
}

const recipes = new Map<RecipeKind, Recipe>();

/** A recipe file's default export: `export default defineRecipe('echo', { ... })`. */
export function defineRecipe(role: RecipeKind, recipe: Omit<Recipe, 'role'>): Recipe {
  return { role, ...recipe };
}

export function registerRecipe(recipe: Recipe): void {
  recipes.set(recipe.role, recipe);
}

export function getRecipe(role: RecipeKind): Recipe | undefined {
  return recipes.get(role);
}
