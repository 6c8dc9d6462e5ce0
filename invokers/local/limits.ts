// OpenWhisk's system limits as its default deployment sets them, and the 413 messages it answers
// with when a request goes over one (pure).
import { ApiError } from './api-error';

/** An action's code (the `exec.code` string, a base64 zip counted as sent): 48 MB. */
export const MAX_CODE_BYTES = 48 * 1024 * 1024;
/** Parameters of an invoke, a trigger firing or a web action request: 1 MB (`whisk.activation.payload.max`). */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** A PUT of an action carries the code plus its JSON envelope (parameters, annotations, limits). */
export const MAX_ACTION_PUT_BYTES = MAX_CODE_BYTES + MAX_PAYLOAD_BYTES;
/** Components of one sequence (`whisk.action.sequence.max`). */
export const MAX_SEQUENCE_COMPONENTS = 50;
/** Trigger firings per minute per namespace are not limited here (OpenWhisk: 60); nested sequences are cut at this depth. */
export const MAX_SEQUENCE_DEPTH = 10;

/** OpenWhisk's wording: `Request larger than allowed: 1048577 > 1048576 bytes.` */
export function tooLarge(field: string, size: number, allowed: number): ApiError {
  return new ApiError(413, `${field} larger than allowed: ${size} > ${allowed} bytes.`);
}
