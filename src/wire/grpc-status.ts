// gRPC status codes by name, both ways: what a scenario writes (`code: UNAVAILABLE`), what the echo
// server counts and the driver reports. One table instead of one per reader.
import { status } from '@grpc/grpc-js';

export type StatusName = keyof typeof status;

const NAMES = Object.keys(status).filter((k): k is StatusName => Number.isNaN(Number(k)));

/** The names a failure can carry (every code but OK), as a zod enum takes them. */
export const FAILURE_STATUS_NAMES = NAMES.filter((k) => k !== 'OK') as [StatusName, ...StatusName[]];

/** UNAVAILABLE -> 14. */
export const statusCode = (name: StatusName): number => status[name];

/** 14 -> UNAVAILABLE; a code grpc-js does not know stays its number. */
export const statusName = (code: number): string => (Number.isInteger(code) && typeof status[code] === 'string' ? status[code] : String(code));
