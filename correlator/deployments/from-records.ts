// Pure: the deployments a batch delivers (protocol/deployment.ts), put together from its `dep`
// records. A part is believed only when it verifies under the key of the activation that wrote it
// (the begin earlier in the same container's lines, or the stored state of that activation), and a
// deployment only when it names the emitting action among its service's actions: an action cannot
// set the analysis settings of a service it does not belong to. A service lives in the namespace of
// the action that delivered it: `_` (not known at deploy) becomes that namespace, and actions of any
// other namespace are dropped, so that no tenant can set, widen or replace another tenant's settings.
import { decodeDeployment, type DeploymentDocument } from '../../protocol/deployment';
import type { DeployRecord } from '../../protocol/wrapper-records';
import { sameAction, splitAction } from '../../store/service-config';
import type { ActivationMeta } from '../../store/types';
import { verifyRecord } from '../../wrapper/records';
import type { ClassifiedBatch } from '../ingest/classify-batch';

export interface DeliveredDeployment {
  hash: string;
  doc: DeploymentDocument;
  /** the action that delivered it, as its begin named it */
  action: string;
  /** the namespace of that action (absent when its begin named none) */
  namespace?: string;
  /** the service's actions, `_` resolved to `namespace`, other namespaces' left out */
  actions: string[];
}

export interface DeploymentsFromRecords {
  delivered: DeliveredDeployment[];
  /** one line per deployment refused or left incomplete */
  problems: string[];
}

interface Pending {
  n: number;
  parts: Map<number, string>;
  action: string;
}

export function deploymentsFromRecords(input: ClassifiedBatch, known: ReadonlyMap<string, ActivationMeta>): DeploymentsFromRecords {
  const pending = new Map<string, Pending>();
  const problems: string[] = [];
  for (const lines of input.containers.values()) {
    // activation -> its key and action, from begins earlier in this container's lines
    const begun = new Map<string, { key: string; action: string }>();
    for (const { line, cls } of lines) {
      if (cls.kind !== 'record' || !('record' in cls.parsed)) continue;
      const record = cls.parsed.record;
      if (record.t === 'begin') {
        begun.set(record.a, { key: record.k, action: record.act });
        continue;
      }
      if (record.t !== 'dep') continue;
      const owner = begun.get(record.a) ?? known.get(record.a);
      if (!owner || !verifyRecord(record, line.line, owner.key)) {
        problems.push(`deployment ${record.h}: part ${record.i} of activation ${record.a} does not verify (no begin, or forged); ignored`);
        continue;
      }
      addPart(pending, record, owner.action, problems);
    }
  }
  const delivered: DeliveredDeployment[] = [];
  for (const [hash, p] of [...pending.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (p.parts.size < p.n) {
      problems.push(`deployment ${hash}: ${p.n - p.parts.size} of its ${p.n} parts are missing from this batch; the next container that starts with it sends it again`);
      continue;
    }
    const decoded = decodeDeployment(hash, Array.from({ length: p.n }, (_, i) => p.parts.get(i)!));
    if ('error' in decoded) {
      problems.push(decoded.error);
      continue;
    }
    if (!claims(decoded.doc.actions, p.action)) {
      problems.push(`deployment ${hash}: sent by ${p.action}, which is not an action of ${decoded.doc.service}/${decoded.doc.stage}; ignored`);
      continue;
    }
    const sender = splitAction(p.action).namespace;
    if (sender === '_') {
      delivered.push({ hash, doc: decoded.doc, action: p.action, actions: [...decoded.doc.actions] });
      continue;
    }
    const actions: string[] = [];
    for (const a of decoded.doc.actions) {
      const own = splitAction(a);
      if (own.namespace === '_' || own.namespace === sender) actions.push(`${sender}/${own.name}`);
      else problems.push(`deployment ${hash}: names ${a}, outside namespace ${sender} of ${p.action} that sent it; left out of its settings`);
    }
    delivered.push({ hash, doc: decoded.doc, action: p.action, namespace: sender, actions });
  }
  return { delivered, problems };
}

function addPart(pending: Map<string, Pending>, record: DeployRecord, action: string, problems: string[]): void {
  let p = pending.get(record.h);
  if (!p) pending.set(record.h, (p = { n: record.n, parts: new Map(), action }));
  if (record.n !== p.n || record.i >= record.n) {
    problems.push(`deployment ${record.h}: part ${record.i} of ${record.n} does not fit the ${p.n} parts announced; ignored`);
    return;
  }
  p.parts.set(record.i, record.d);
}

/**
 * Whether a service's actions (`<namespace>/<name>`, namespace `_` = any) include the action a begin
 * named (`/<namespace>/<name>`, possibly with a package).
 */
export function claims(actions: readonly string[], action: string): boolean {
  const wanted = splitAction(action);
  return actions.some((a) => sameAction(splitAction(a), wanted));
}
