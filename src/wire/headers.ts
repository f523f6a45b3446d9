// The metadata keys the lab's clients and echo servers speak, one home for writers and readers.

/** Set by the driver on every call, so picks can be tied to the call they serve (lab_observe). */
export const CALL_ID_HEADER = 'x-lab-call';
/** Names the client: the echo servers count calls per client by it (src/echo/served.ts). */
export const CLIENT_HEADER = 'x-lab-client';
/** Set by an echo server on its answer: its name (echo-2). The driver and the router read who served a call from it. */
export const BACKEND_HEADER = 'x-lab-backend';
