// Where what the application claims contradicts what the platform and the kernel saw. A handler
// runs in the wrapper's own process: it can read the activation's MAC key and sign whatever it
// likes, skip the end record, or print another activation's ids. Signed records therefore prove
// only that they came from inside the activation, not that they are true; the kernel's and the
// runtime's facts (which container wrote a line, which files were really opened, the sentinel that
// closed the activation) are never overridden by them. Each contradiction is flagged here, on the
// graph, and marks its activation as contradicted for the verdicts (analyses/contradicted.ts).
// Pure: graph in, contradictions out.
import type { ActivationNode, RequestGraph, UpgNode } from './types';

export type ContradictionCode =
  /** a line in one container claimed an activation (or request, or action) that runs elsewhere */
  | 'foreign-ids'
  /** a record whose MAC does not verify: written by something without the activation's key */
  | 'forged-record'
  /** a second begin for an activation already begun */
  | 'second-begin'
  /** the runtime's sentinels closed the activation but its end record never came */
  | 'end-record-missing'
  /** the application reports a file access the kernel, capturing the activation, never saw */
  | 'unseen-by-kernel';

export interface Contradiction {
  code: ContradictionCode;
  /** the activation the contradiction is charged to */
  activationId: string;
  message: string;
}

/**
 * Warning codes the correlator writes when it refuses a line (correlator/assemble/judge-record.ts
 * REJECT, container-walk.ts LOG_ID_MISMATCH), and what each means as a contradiction.
 */
export const REFUSAL_CONTRADICTIONS: Readonly<Record<string, ContradictionCode>> = {
  'wrong-container': 'foreign-ids',
  'request-mismatch': 'foreign-ids',
  'action-mismatch': 'foreign-ids',
  'log-id-mismatch': 'foreign-ids',
  'bad-mac': 'forged-record',
  'duplicate-begin': 'second-begin',
};

export function contradictions(graph: RequestGraph): Contradiction[] {
  const out: Contradiction[] = [];
  for (const w of graph.warnings ?? []) {
    const code = REFUSAL_CONTRADICTIONS[w.code];
    if (code && w.activationId) out.push({ code, activationId: w.activationId, message: w.message });
  }
  const byId = new Map<string, UpgNode>(graph.nodes.map((n) => [n.id, n]));
  for (const a of graph.nodes) {
    if (a.kind !== 'activation' || a.platform !== undefined) continue;
    if (a.stdoutClosed && a.stderrClosed && a.end === undefined && a.start !== undefined) {
      out.push({
        code: 'end-record-missing',
        activationId: a.activationId,
        message: `the runtime closed activation ${a.activationId} but its end record never came: the wrapper was bypassed or cut short (or the activation was killed)`,
      });
    }
    if (a.kernelCapture && a.kernelDelivered) out.push(...unseenByKernel(graph, a, byId));
  }
  const seen = new Set<string>();
  return out
    .filter((c) => {
      const k = `${c.code}\u0000${c.activationId}\u0000${c.message}`;
      return !seen.has(k) && !!seen.add(k);
    })
    .sort((x, y) => cmp(x.activationId, y.activationId) || cmp(x.code, y.code) || cmp(x.message, y.message));
}

/**
 * File accesses the application's records report and the kernel did not see, for an activation
 * whose kernel events have all been delivered. (With kernel capture on the wrapper leaves files to
 * the kernel, so such a record was written by the handler itself, with the key.)
 */
function unseenByKernel(graph: RequestGraph, a: ActivationNode, byId: ReadonlyMap<string, UpgNode>): Contradiction[] {
  const kernelFiles = new Set<string>();
  const claimed = new Map<string, string>(); // file node id -> op
  for (const e of graph.edges) {
    if (e.activationId !== a.activationId) continue;
    for (const end of [e.from, e.to]) {
      if (byId.get(end)?.kind !== 'file') continue;
      if (e.source === 'kernel') kernelFiles.add(end);
      else if (e.source === 'wrapper' && !claimed.has(end)) claimed.set(end, e.op ?? 'access');
    }
  }
  const out: Contradiction[] = [];
  for (const [file, op] of claimed) {
    if (kernelFiles.has(file)) continue;
    const path = (byId.get(file) as { path?: string }).path ?? file;
    out.push({
      code: 'unseen-by-kernel',
      activationId: a.activationId,
      message: `activation ${a.activationId} claims a ${op} of ${path} that the kernel never saw: the claim is not believed`,
    });
  }
  return out;
}

/** The activations some contradiction is charged to. */
export function contradictedActivations(graph: RequestGraph): Set<string> {
  return new Set(contradictions(graph).map((c) => c.activationId));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
