// The engine's public surface: which engine a topology names, and what it gives a run.
export { closeEngines, engineFor, localEngine, type Engine, type EngineTopology } from './engine.js';
