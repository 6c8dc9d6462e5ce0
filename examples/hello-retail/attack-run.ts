// Drives the two attacks against the deployed shop (attacks.ts says what they are), and checks the
// incident report against what was done: which requests planted, which were victims, where the data
// went. Used by the demo and by test/attack-scenarios.test.ts.
import type { Incident } from '../../upg/analyses/types';
import {
  CALLBACK_PATH,
  containerReusePlan,
  exfiltrationPlan,
  PLANT_PATH,
  stolenCards,
  type AttackerServer,
  type AttackStep,
} from './attacks';
import { driveTraffic, type PlatformAccess, type StepOutcome } from './traffic';

export interface AttackOutcome extends StepOutcome {
  step: AttackStep;
}

export interface AttackRun {
  outcomes: AttackOutcome[];
  /** the request ids, by role */
  planter: string;
  victim: string;
  exfiltrator: string;
  /** card numbers the attacker's server received, by attack */
  stolen: { containerReuse: string[]; exfiltration: string[] };
}

/**
 * Sends attack 1 (planting, then the victim's purchase: one after the other, so that with
 * concurrency 1 both go to purchase's warm container), then attack 2. Request ids continue the run's
 * numbering from `firstIndex`. Throws if a request failed outright.
 */
export async function runAttacks(
  access: PlatformAccess,
  attacker: AttackerServer,
  runId: string,
  firstIndex: number,
  hooks: { onSection?: (title: string) => void; onOutcome?: (o: AttackOutcome) => void; signal?: AbortSignal } = {},
): Promise<AttackRun> {
  const outcomes: AttackOutcome[] = [];
  const drive = async (plan: AttackStep[]) => {
    const done = (await driveTraffic(access, plan, runId, (o) => hooks.onOutcome?.(o as AttackOutcome), hooks.signal, firstIndex + outcomes.length)) as AttackOutcome[];
    const failed = done.find((o) => !o.ok);
    if (failed) throw new Error(`attack step "${failed.step.label}" (${failed.requestId}) failed: ${JSON.stringify(failed.result.error ?? failed.result)}`);
    outcomes.push(...done);
  };
  hooks.onSection?.('attack 1: container reuse — code planted in purchase\'s warm container, run by the next customer');
  await drive(containerReusePlan(attacker));
  hooks.onSection?.('attack 2: exfiltration through the workflow — a saved card sent to a storefront callback');
  await drive(exfiltrationPlan(attacker));
  // The planted code POSTs without waiting for the answer: give it a moment to arrive.
  await waitFor(() => stolenCards(attacker.loot, PLANT_PATH).length > 0 && stolenCards(attacker.loot, CALLBACK_PATH).length > 0, 3_000);
  const byRole = (role: AttackStep['role']) => outcomes.find((o) => o.step.role === role)!.requestId;
  return {
    outcomes,
    planter: byRole('plant'),
    victim: byRole('victim'),
    exfiltrator: byRole('exfiltrate'),
    stolen: { containerReuse: stolenCards(attacker.loot, PLANT_PATH), exfiltration: stolenCards(attacker.loot, CALLBACK_PATH) },
  };
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

export interface ReportCheck {
  ok: boolean;
  /** one line per expectation, starting ✔ or ✘ */
  lines: string[];
}

/**
 * Pure: whether the incidents show both attacks with the right planter, victims and sink, and no
 * attack verdict on anything else (the benign price cache may appear, as benign shared state).
 */
export function checkReport(incidents: readonly Incident[], run: Pick<AttackRun, 'planter' | 'victim' | 'exfiltrator'>, attackerHost: string): ReportCheck {
  const lines: string[] = [];
  let ok = true;
  const expect = (pass: boolean, line: string) => {
    ok &&= pass;
    lines.push(`${pass ? '✔' : '✘'} ${line}`);
  };
  const attacks = incidents.filter((i) => i.verdict === 'attack');
  const reuse = attacks.filter((i) => i.kind === 'container-reuse' && i.planter.request === run.planter && i.victims.some((v) => v.request === run.victim));
  expect(
    reuse.length === 1,
    `container-reuse attack: planted by ${run.planter}, loaded by ${run.victim}` +
      (reuse[0] ? ` (${reuse[0].artifact.path ?? reuse[0].artifact.node}${reuse[0].sink ? ` → ${reuse[0].sink.address}:${reuse[0].sink.port}` : ''})` : ': not reported'),
  );
  const exfil = attacks.filter((i) => i.kind === 'exfiltration' && i.requests.includes(run.exfiltrator) && i.sink?.address === attackerHost);
  expect(
    exfil.length === 1,
    `exfiltration attack: ${run.exfiltrator} carried ${exfil[0] ? `${exfil[0].artifact.table ?? exfil[0].artifact.path} data from ${exfil[0].planter.action} to ${exfil[0].victims.map((v) => v.action).join(', ')} → ${exfil[0].sink?.address}:${exfil[0].sink?.port}` : 'card data outside: not reported'}`,
  );
  const others = attacks.filter((i) => !reuse.includes(i) && !exfil.includes(i));
  expect(others.length === 0, others.length === 0 ? 'no attack verdict on benign traffic' : `attack verdicts on other requests: ${others.map((i) => `${i.kind} ${i.requests.join(',')}`).join('; ')}`);
  const suspicious = incidents.filter((i) => i.verdict === 'suspicious');
  expect(suspicious.length === 0, suspicious.length === 0 ? 'nothing suspicious' : `suspicious: ${suspicious.map((i) => `${i.kind} ${i.requests.join(',')} (${i.reason})`).join('; ')}`);
  const benign = incidents.filter((i) => i.verdict === 'benign-shared-state');
  if (benign.length) lines.push(`  (${benign.length} benign shared state: ${[...new Set(benign.map((i) => i.artifact.path ?? i.artifact.node))].join(', ')})`);
  return { ok, lines };
}
