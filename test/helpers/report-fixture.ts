// Recorded runs, played for real and kept as their reports' result.json, timeseries.json and
// scenario.yaml, for the tests of the pictures drawn from them: the tour (lab play
// scenarios/tour.yaml) and one-in-400 (scenarios/one-in-400.yaml: echo-2 fails one call in 400).
import path from 'node:path';

export const TOUR_REPORT = path.resolve(import.meta.dirname, '../fixtures/report/tour');
export const ONE_IN_400_REPORT = path.resolve(import.meta.dirname, '../fixtures/report/one-in-400');
