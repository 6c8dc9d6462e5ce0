// The error a malformed batch raises: its own file so that the checks of each part of a batch
// (validate-batch.ts, validate-kernel-part.ts) can raise it without importing each other.
export class BatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchError';
  }
}

/** A well-formed batch of another version: not the batch's fault, so the sender keeps it until the two match. */
export class BatchVersionError extends BatchError {
  constructor(message: string) {
    super(message);
    this.name = 'BatchVersionError';
  }
}
