// Command errors: one line saying what is wrong and what to do, and the exit code (2: usage or bad
// input, 1: runtime). Store errors carry their own exit code; anything else is a runtime failure.
import { UserError } from '../store/errors';
import { StoreInputError } from '../store/validate';

export class CliError extends UserError {
  override readonly name = 'CliError';
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UserError) return err.exitCode;
  if (err instanceof StoreInputError) return 2;
  return 1;
}

/** the message part of `provenance: <message>`, on one line */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
}
