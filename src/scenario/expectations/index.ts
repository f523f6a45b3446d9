import './share.js';
import './errors.js';
import './latency.js';
import './attempts.js';
export { expectationKinds, type Check } from './expectation.js';
export { compactSeries, sumStats, windowAt, type Bucket, type WindowStats } from './window.js';
