// The scenario room's face: what the CLI, the view, the run and the report use of scenarios.
import { setup as setupActions } from './actions/index.js';
import { setup as setupExpectations } from './expectations/index.js';

/** Registers the scenario plug-ins: the actions, then the expectations. */
export function setup(): void {
  setupActions();
  setupExpectations();
}
export { actionDefinitions, getAction, parseActionArg } from './actions/index.js';
export { type Bucket, expectationKinds, windowAt } from './expectations/index.js';
export { sumStats } from './expectations/window.js';
export { FAIR_PART, type Joined } from './fair-share.js';
export { GRFCS, grfcNumber } from './grfc.js';
export { loadScenario, namesOf } from './load.js';
export { type Scenario } from './model.js';
export { type PlayEvent, type PlayResult, play } from './player.js';
export { scenarioSchema } from './schema.js';
export { type SandboxSession, servedSourcesOf, sandboxSession } from './session.js';
export { explainLines } from './timeline/explain.js';
export { type ActionResult, type ExpectResult, type Rebalance, type Verdict, liveState } from './verdict.js';
