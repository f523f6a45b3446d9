// grpc-js's rules for call metadata, checked before any call: lower-case token keys; a -bin key
// carries bytes (the lab's clients send text).
import { Metadata } from '@grpc/grpc-js';

/** Why a metadata entry would be refused by grpc-js (or cannot be sent as text), or undefined. */
export function metadataProblem(key: string, value: string): string | undefined {
  if (key.endsWith('-bin')) return `"${key}" is a binary key (-bin), which takes bytes, not text; use a key without -bin`;
  try {
    new Metadata().set(key, value);
  } catch (err) {
    return `${(err as Error).message.replace(/^Metadata key /, 'the key ')} (keys are lower-case letters, digits and - _ .)`;
  }
  return undefined;
}
