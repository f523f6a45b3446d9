// A recorded run: the tour, played for real (lab play scenarios/tour.yaml) and kept as its report's
// result.json, timeseries.json and scenario.yaml, for the tests of the pictures drawn from it.
import path from 'node:path';

export const TOUR_REPORT = path.resolve(import.meta.dirname, '../fixtures/report/tour');
