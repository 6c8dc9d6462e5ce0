// Suites that need something of the machine (root, a kernel feature, a Debian package) do not skip
// quietly when it is missing: CI (root, Debian, scripts/install-system-deps.sh) provides all of it,
// so a missing prerequisite there is a failure that says what is missing and how to get it (there is
// no switch to skip them: a skipped suite is a claim nobody checks).
import { describe, it } from 'vitest';

/**
 * `describe` for a suite that needs what `why` says is missing (null: nothing is missing). When
 * something is, the suite's body is not collected (it would touch what is not there) and one test
 * fails with the reason instead.
 */
export function describeNeeding(why: string | null): (name: string, body: () => void) => void {
  if (why === null) return (name, body) => describe(name, body);
  return (name) =>
    describe(name, () => {
      it('has what it needs on this machine', () => {
        throw new Error(`${name} cannot run here: ${why}. (CI provides this: run scripts/install-system-deps.sh as root.)`);
      });
    });
}
