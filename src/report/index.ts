// report: what the rest of the lab may use of it.
export { compareRuns, comparisonMarkdown, comparisonRows, isBadResult } from './compare.js';
export { writeReportFile } from './folder-io.js';
export { comparisonHtml } from './html/compare-page.js';
export { MEASURES, expectWord, heldText, settledText, slowestSettle, verdictWord } from './text.js';
export { checkReportDir, reportDirFor, rerender, runRecordOf, writeReport } from './write.js';
