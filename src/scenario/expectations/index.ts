// The expectation kinds (one file each; the list is generated) and the window arithmetic they share.
import { registerExpectation } from './expectation.js';
import { plugins } from './plugins.generated.js';

let done = false;

/** Registers every expectation kind, once. */
export function setup(): void {
  if (done) return;
  done = true;
  for (const k of plugins) registerExpectation(k);
}

export { expectationKinds, matcherValue, type Check, type AnyExpectation } from './expectation.js';
export { compactSeries, sumStats, windowAt, type Bucket, type WindowStats } from './window.js';
