// Registers every recipe, then resolves an ImageSpec to an image reference the engine has.
import './recipe-etcd.js';
import './recipe-consul.js';
import './recipe-echo.js';
import './recipe-proxy.js';
export { resolveImage, type ImageEvent } from './resolve-image.js';
