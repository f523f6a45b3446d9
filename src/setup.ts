// Registers every plug-in of the lab, once and in one place (grpc-js's model: each plug-in file
// ends in setup() or exports its definition, and the package root registers them all): resolvers
// and balancers with grpc-js, scenario actions and expectations, image recipes. The CLI calls it
// first; tests and benches call it too. Nothing registers itself on import.
import { setup as setupRecipes } from './sandbox/index.js';
import { setup as setupScenario } from './scenario/index.js';
import { setup as setupTraffic } from './traffic/index.js';

let done = false;

export function setupLab(): void {
  if (done) return;
  done = true;
  setupTraffic();
  setupRecipes();
  setupScenario();
}
