// The view's face: the two ways the CLI opens it (loaded on demand: ink and react cost start-up time).
export { playWithView } from './run-play.js';
export { runWatch } from './run-watch.js';
