// run: what the rest of the lab may use of it.
export { RunContext } from './context.js';
