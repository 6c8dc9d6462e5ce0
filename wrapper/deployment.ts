// Sends the deployment the plugin packaged with the action (protocol/deployment.ts: the service's
// analysis settings and the LMS profile) as `dep` records, once per process and deployment, right
// after the begin of the first activation that runs with it. So the settings reach the correlator
// in the same stream as, and before, every record they judge, from every container.
import type { ActivationContext } from './context';
import { emitRecord } from './emit';

/** What the generated entry file passes: the deployment's hash and its encoded parts. */
export interface PackagedDeployment {
  hash: string;
  parts: readonly string[];
}

const SENT_KEY = Symbol.for('serverless-provenance.wrapper.deployments-sent');
const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
// Shared by every copy of the wrapper in the process: one action process sends a deployment once.
const sent: Set<string> = (g[SENT_KEY] ??= new Set());

/** Emits the deployment's parts unless this process already sent them. Never throws into user code. */
export function sendDeploymentOnce(ctx: ActivationContext, deployment: PackagedDeployment | undefined): void {
  if (!deployment || sent.has(deployment.hash)) return;
  sent.add(deployment.hash);
  const n = deployment.parts.length;
  deployment.parts.forEach((d, i) => emitRecord(ctx, 'dep', { h: deployment.hash, i, n, d }));
}

/** Forgets what was sent (tests that install the wrapper afresh). */
export function forgetSentDeployments(): void {
  sent.clear();
}
