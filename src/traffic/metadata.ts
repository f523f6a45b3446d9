// grpc-js's rules for call metadata, checked before any call: lower-case token keys; a -bin key
// carries bytes (the lab's clients send text); grpc-* keys are gRPC's own; text values are printable ASCII.
import { Metadata } from '@grpc/grpc-js';

/** Why a metadata entry would be refused by grpc-js (or cannot be sent as text), or undefined. */
export function metadataProblem(key: string, value: string): string | undefined {
  if (key.startsWith(':')) return `"${key}" is an HTTP/2 pseudo-header, which a call sets itself; it cannot be sent as metadata`;
  if (key.startsWith('grpc-')) return `"${key}": keys that begin with grpc- are gRPC's own (grpc-timeout, grpc-encoding, ...); a call sets them itself`;
  if (/[^\x20-\x7e]/.test(value))
    return `the value of "${key}" holds a character a header cannot carry (${JSON.stringify(value.match(/[^\x20-\x7e]/)![0])}); text values are printable ASCII`;
  if (key.endsWith('-bin')) return `"${key}" is a binary key (-bin), which takes bytes, not text; use a key without -bin`;
  try {
    new Metadata().set(key, value);
  } catch (err) {
    return `${(err as Error).message.replace(/^Metadata key /, 'the key ')} (keys are lower-case letters, digits and - _ .)`;
  }
  return undefined;
}
