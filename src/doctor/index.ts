// doctor: what the rest of the lab may use of it.
export { runChecks } from './checks.js';
