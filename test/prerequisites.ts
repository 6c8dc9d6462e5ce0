// Suites that need something of the machine (root, a kernel feature, a Debian package) do not skip
// quietly when it is missing: CI (root, Debian, scripts/install-system-deps.sh) provides all of it,
// so a missing prerequisite there is a failure that says what is missing and how to get it. A
// developer who deliberately runs without kernel capture sets SP_SKIP_KERNEL_TESTS=1 and sees the
// suites reported as skipped, by that explicit choice.
import { describe, it } from 'vitest';

export const SKIP_ENV = 'SP_SKIP_KERNEL_TESTS';

/**
 * `describe` for a suite that needs what `why` says is missing (null: nothing is missing). When
 * something is, the suite's body is not collected (it would touch what is not there) and one test
 * fails with the reason instead.
 */
export function describeNeeding(why: string | null): (name: string, body: () => void) => void {
  if (why === null) return (name, body) => describe(name, body);
  if (process.env[SKIP_ENV] === '1') return (name, body) => describe.skip(name, body);
  return (name) =>
    describe(name, () => {
      it('has what it needs on this machine', () => {
        throw new Error(`${name} cannot run here: ${why}. (CI provides this; to skip these suites deliberately, set ${SKIP_ENV}=1.)`);
      });
    });
}
