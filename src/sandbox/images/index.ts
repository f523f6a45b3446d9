// The image recipes (one file each; the list is generated) and how an ImageSpec becomes an image
// reference the engine has.
import { plugins } from './plugins.generated.js';
import { registerRecipe } from './recipe.js';

let done = false;

/** Registers every recipe, once. */
export function setup(): void {
  if (done) return;
  done = true;
  for (const r of plugins) registerRecipe(r);
}

export { resolveImage, type ImageEvent } from './resolve-image.js';
export { getRecipe } from './recipe.js';
export { binaryRecipe } from './binary-image.js';
export { echoBundleDir } from './recipe-echo.js';
