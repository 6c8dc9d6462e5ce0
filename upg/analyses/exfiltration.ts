// Exfiltration: a path from a sensitive source to a network sink outside the platform and outside
// the allowlist. Pure, over request graphs already loaded.
//
// THE RULE
//   Sources: DynamoDB items (or whole tables) of a table named in `sensitive.tables`, files whose
//   path matches `sensitive.files` or whose base name matches `sensitive.secrets`. An activation
//   *holds* sensitive data from the moment it (or a process it started) reads a source, and passes
//   it on, in time order:
//     - to an activation it invokes after that moment (the invocation message: parent -> child);
//     - to the activation that invoked it, when the invocation returns (child -> parent: the result);
//     - through a file it writes in its container, to any later reader of that file (another request
//       served by the same warm container included: exfiltration across requests by container reuse);
//     - through a DynamoDB item it writes, to any later reader of that item among the graphs analysed.
//   An incident is an activation holding sensitive data that, afterwards, connects or sends to a
//   socket that is outside (not a platform endpoint, not allowlisted): one per (sending activation,
//   sink). Planter: the activation that read the source; victims: the activation that sent it out.
//   Verdict: `attack` when the data reached the sender by reading it itself, by invocation messages
//   or through a file in the container; `suspicious` when the path needs an invocation result or a
//   DynamoDB item copy (the graph cannot tell whether the sensitive part was in them).
//
// LIMITS: the graph records that data was read and that bytes went out, not what the bytes were, so
// this is an over-approximation (an activation that reads a card and then calls an outside price
// service is reported, unless that service is allowlisted); data that reaches an activation through
// the request's own parameters (not read from a named source) is not tracked.
import type { ActivationNode, FileNode, ItemNode, UpgNode } from '../types';
import { actingActivation, partyOf, type CrossGraph, type RequestEdge } from './cross-graph';
import { wildcardMatch } from './config';
import { surelyBefore } from './happened-before';
import { incidentId } from './incident-id';
import { outsideSends, sinkOf } from './sinks';
import type { AnalysisConfig, Incident, IncidentArtifact, TimelineEvent } from './types';

/** How an activation came to hold sensitive data. */
interface Holding {
  /** when it holds it (ms; undefined: the graph does not know, treated as "from the start") */
  time?: number;
  /** node ids from the source to this activation */
  path: string[];
  source: UpgNode;
  origin: ActivationNode;
  weak: boolean;
  steps: TimelineEvent[];
}

export function isSensitive(config: AnalysisConfig, node: UpgNode): boolean {
  if (node.kind === 'item') return config.sensitive.tables.some((p) => wildcardMatch(p, node.table, true));
  if (node.kind === 'file') {
    const base = node.path.split('/').pop() ?? node.path;
    return config.sensitive.files.some((p) => wildcardMatch(p, node.path)) || config.sensitive.secrets.some((p) => wildcardMatch(p, base, true));
  }
  return false;
}

const READS = /^(?!.*:error$)/; // a failed operation read nothing

export function findExfiltration(g: CrossGraph, config: AnalysisConfig, detectedAt: string): Incident[] {
  const holdings = propagate(g, config);
  const incidents = new Map<string, Incident>();
  for (const send of outsideSends(g, config)) {
    const h = holdings.get(send.activation.activationId);
    if (!h || surelyBefore(send.time, h.time)) continue;
    const id = incidentId('exfiltration', [send.activation.activationId, send.socket.id]);
    if (incidents.has(id)) continue;
    const sender = send.activation;
    const artifact = artifactOf(h.source);
    incidents.set(id, {
      id,
      kind: 'exfiltration',
      verdict: h.weak ? 'suspicious' : 'attack',
      container: sender.container,
      planter: partyOf(h.origin),
      victims: [partyOf(sender)],
      artifact,
      sink: sinkOf(send.socket),
      path: [...h.path, send.socket.id],
      timeline: [
        ...h.steps,
        { time: send.time, request: sender.requestId, activation: sender.activationId, action: sender.action, role: 'send', op: send.edge.op, node: send.socket.id },
      ],
      requests: [...new Set([h.origin.requestId, sender.requestId, ...h.steps.map((s) => s.request)])].sort(),
      reason: `sensitive ${describeSource(artifact)} read by ${h.origin.action} reached ${send.socket.address}:${send.socket.port}, outside the platform and the allowlist`,
      evidence: [
        `${h.origin.activationId} read ${describeSource(artifact)}`,
        ...(h.path.length > 2 ? [`carried along ${h.path.length - 2} step(s): ${h.steps.slice(1).map((s) => s.op ?? s.role).join(', ')}`] : []),
        `${sender.activationId} then sent to ${send.socket.address}:${send.socket.port} (${send.edge.op})`,
        ...(h.weak ? ['the path goes through an invocation result or a DynamoDB item copy: the sensitive part may not have been in it'] : []),
      ],
      detectedAt,
    });
  }
  return [...incidents.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Which activations hold sensitive data, from when, and how: propagated to a fixpoint, earliest holding wins. */
function propagate(g: CrossGraph, config: AnalysisConfig): Map<string, Holding> {
  const held = new Map<string, Holding>();
  const offer = (a: ActivationNode, h: Holding): boolean => {
    const known = held.get(a.activationId);
    if (known && !better(h, known)) return false;
    held.set(a.activationId, h);
    return true;
  };
  const step = (a: ActivationNode, role: TimelineEvent['role'], e: RequestEdge, node: string): TimelineEvent => ({
    time: e.time ?? a.start, request: a.requestId, activation: a.activationId, action: a.action, role, op: e.op, node,
  });

  // Seeds: reads of a sensitive source.
  for (const n of g.byId.values()) {
    if (!isSensitive(config, n)) continue;
    for (const e of g.in.get(n.id) ?? []) {
      if (e.kind !== 'used' || !READS.test(e.op ?? '')) continue;
      const a = actingActivation(g, e.from, e);
      if (!a) continue;
      offer(a, { time: e.time ?? a.start, path: [n.id, a.id], source: n, origin: a, weak: false, steps: [step(a, 'source', e, n.id)] });
    }
  }

  // Carriers: messages, results, files and items written after the data was held and read later.
  for (let changed = true, rounds = 0; changed && rounds < 1000; rounds++) {
    changed = false;
    for (const [activationId, h] of [...held]) {
      const a = g.activations.get(activationId)!;
      for (const e of g.in.get(a.id) ?? []) {
        if (surelyBefore(e.time, h.time)) continue;
        const node = g.byId.get(e.from);
        if (e.kind === 'wasGeneratedBy' && node?.kind === 'message') {
          // parent -> message -> child
          for (const use of g.in.get(node.id) ?? []) {
            const child = use.kind === 'used' ? actingActivation(g, use.from, use) : undefined;
            if (!child || child.activationId === a.activationId) continue;
            // The parameters reached the child when it started (the message's own time is when the
            // parent made the call; records from older wrappers give the time the call returned).
            const received = child.start ?? use.time ?? e.time;
            if (surelyBefore(received, h.time)) continue;
            changed = offer(child, { ...extend(h, [node.id, child.id], step(child, 'carry', use, node.id)), time: received }) || changed;
          }
        } else if (e.kind === 'wasGeneratedBy' && (node?.kind === 'file' || (node?.kind === 'item' && !isSensitive(config, node)))) {
          for (const use of g.in.get(node.id) ?? []) {
            if (use.kind !== 'used' || surelyBefore(use.time, e.time)) continue;
            const reader = actingActivation(g, use.from, use);
            if (!reader || reader.activationId === a.activationId) continue;
            changed = offer(reader, { ...extend(h, [node.id, reader.id], step(reader, 'carry', use, node.id)), time: use.time, weak: h.weak || node.kind === 'item' }) || changed;
          }
        }
      }
      // child -> parent: the invocation's result returns to the invoker when the child ends
      for (const e of g.out.get(a.id) ?? []) {
        if (e.kind !== 'wasStartedBy') continue;
        const parent = actingActivation(g, e.to);
        if (!parent || parent.activationId === a.activationId) continue;
        const at = a.end ?? h.time;
        changed = offer(parent, { ...extend(h, [parent.id], { time: at, request: parent.requestId, activation: parent.activationId, action: parent.action, role: 'carry', op: 'result', node: a.id }), time: at, weak: true }) || changed;
      }
    }
  }
  return held;
}

function extend(h: Holding, nodes: string[], s: TimelineEvent): Holding {
  return { ...h, path: [...h.path, ...nodes], steps: [...h.steps, s] };
}

/** A strong holding beats a weak one; then the earlier; then the shorter path. */
function better(a: Holding, b: Holding): boolean {
  if (a.weak !== b.weak) return !a.weak;
  const ta = a.time ?? -Infinity;
  const tb = b.time ?? -Infinity;
  if (ta !== tb) return ta < tb;
  return a.path.length < b.path.length;
}

function artifactOf(source: UpgNode): IncidentArtifact {
  if (source.kind === 'file') return { kind: 'file', path: (source as FileNode).path, node: source.id };
  const item = source as ItemNode;
  return item.key !== undefined ? { kind: 'item', table: item.table, key: item.key, node: item.id } : { kind: 'table', table: item.table, node: item.id };
}

function describeSource(a: IncidentArtifact): string {
  if (a.kind === 'file') return `file ${a.path}`;
  return a.kind === 'item' ? `item of ${a.table}` : `table ${a.table}`;
}
