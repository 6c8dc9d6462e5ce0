// Whether one request's graph is the whole story yet, and if not exactly what is still missing.
// Provenance is evidence: a picture that is silently partial misleads, so every reader of a graph
// (`provenance trace`, `--wait`) asks this first. Pure: graph in, verdict out.
//
// A request is complete when every activation of it
// - has begun (its begin record arrived; an invoked child that never arrived is missing),
// - has ended (an end record, or the runtime closed it without one),
// - had its output closed by the runtime's end-of-activation sentinel on stdout and on stderr
//   (lines written before the sentinel may still be in flight until then),
// - and, when its container's syscalls are captured, has had its kernel events delivered up to its
//   end (the agent's watermark, protocol/batch.ts kernelComplete).
// Sequence and trigger activations run in the platform's controller (no container, no output):
// for them an end is enough.
import type { ActivationNode, MessageNode, RequestGraph } from './types';

export type MissingKind = 'not-begun' | 'not-ended' | 'output-open' | 'kernel-behind' | 'child-not-arrived';
/** from the most to the least fundamental: an activation that has not ended explains the rest */
const ORDER: readonly MissingKind[] = ['child-not-arrived', 'not-begun', 'not-ended', 'output-open', 'kernel-behind'];

export interface MissingPiece {
  kind: MissingKind;
  activationId: string;
  action?: string;
  /** container node id, where the activation runs (known once it has begun) */
  container?: string;
  /** one line naming what is missing */
  message: string;
}

export interface Completeness {
  complete: boolean;
  /** in a stable order: by activation id, then as ORDER lists the kinds */
  missing: MissingPiece[];
}

export function completeness(graph: RequestGraph): Completeness {
  const missing: MissingPiece[] = [];
  const activations = new Map<string, ActivationNode>();
  for (const n of graph.nodes) if (n.kind === 'activation') activations.set(n.activationId, n);
  const children = invokedChildren(graph);

  for (const a of activations.values()) {
    const where = { activationId: a.activationId, action: a.action, container: a.container || undefined };
    const name = `activation ${a.activationId} (${a.action})`;
    if (a.start === undefined && a.platform === undefined) {
      // Known only from another activation's invoke record (handled below) or a stray fact.
      if (!children.has(a.activationId)) missing.push({ kind: 'not-begun', ...where, message: `${name}: its begin record has not arrived` });
      continue;
    }
    const closedWithoutEnd = a.stdoutClosed === true && a.stderrClosed === true;
    if (a.end === undefined && !closedWithoutEnd) missing.push({ kind: 'not-ended', ...where, message: `${name} has not ended yet` });
    if (a.platform !== undefined) continue;
    const open = [a.stdoutClosed ? undefined : 'stdout', a.stderrClosed ? undefined : 'stderr'].filter((s): s is string => s !== undefined);
    if (open.length) {
      missing.push({ kind: 'output-open', ...where, message: `${name}: the runtime has not closed its output on ${open.join(' and ')} (end-of-activation sentinel not seen)` });
    }
    if (a.kernelCapture && !a.kernelDelivered) {
      missing.push({ kind: 'kernel-behind', ...where, message: `container ${a.container}: kernel events up to the end of ${name} not delivered yet` });
    }
  }

  for (const [child, msg] of children) {
    const node = activations.get(child);
    if (node && (node.start !== undefined || node.platform !== undefined)) continue;
    missing.push({ kind: 'child-not-arrived', activationId: child, action: msg.action, message: `activation ${child} (${msg.action}) was invoked by ${msg.from} but has not arrived` });
  }

  missing.sort((x, y) => cmp(x.activationId, y.activationId) || ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind));
  return { complete: missing.length === 0, missing };
}

/** child activation id -> the invocation message naming it */
function invokedChildren(graph: RequestGraph): Map<string, MessageNode> {
  const out = new Map<string, MessageNode>();
  for (const n of graph.nodes) if (n.kind === 'message' && n.to !== undefined) out.set(n.to, n);
  return out;
}

/** One line for a person: what is missing, or that nothing is. */
export function describeCompleteness(c: Completeness): string {
  if (c.complete) return 'complete: every activation has ended and its evidence has been delivered';
  return `INCOMPLETE: ${c.missing.length} piece(s) of evidence still missing`;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
