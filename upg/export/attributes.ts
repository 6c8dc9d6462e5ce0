// The typed attributes the two PROV exports (PROV-JSON, PROV-O Turtle) write for nodes and edges:
// one list, so both formats say the same thing about every node and edge.
import { nodeIds, stableJson } from '../ids';
import type { UpgEdge } from '../types';
import { isoTime, nodeLabel } from './describe';
import type { ExportInput, ViewNode } from './input';
import type { IncidentMarks, Marks } from './marks';

export type AttributeValue =
  | { type: 'string'; value: string }
  | { type: 'integer'; value: number }
  | { type: 'decimal'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'dateTime'; value: string }
  /** a reference to another graph node, by node id */
  | { type: 'node'; value: string };

export interface Attribute {
  /** local name in our vocabulary (sp:<name>) */
  name: string;
  value: AttributeValue;
}

/** Fields shown through PROV's own terms (times, label) or not at all (id, kind). */
const NOT_AS_ATTRIBUTE = new Set(['id', 'kind', 'label']);
const TIME_FIELDS = new Set(['start', 'end', 'firstSeen', 'lastSeen', 'time']);
/** Fields holding another node's id: written as references, so RDF can follow them. */
const NODE_REF_FIELDS = new Set(['container']);

export function nodeAttributes(v: ViewNode): Attribute[] {
  const out: Attribute[] = [];
  if (v.missing) out.push({ name: 'missing', value: { type: 'boolean', value: true } });
  if (!v.node) return out;
  const fields = v.node as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key];
    if (NOT_AS_ATTRIBUTE.has(key) || value === undefined || value === null) continue;
    const typed = typedValue(key, value);
    if (typed) out.push({ name: key, value: typed });
  }
  // A spawned or invoked activation names its parent by activation id: also link it as a node.
  if (v.node.kind === 'activation' && v.node.parent !== undefined) {
    out.push({ name: 'parentActivation', value: { type: 'node', value: nodeIds.activation(v.node.parent) } });
  }
  return out;
}

function typedValue(key: string, value: unknown): AttributeValue | undefined {
  if (TIME_FIELDS.has(key) && typeof value === 'number') {
    const iso = isoTime(value);
    return iso ? { type: 'dateTime', value: iso } : undefined;
  }
  if (NODE_REF_FIELDS.has(key) && typeof value === 'string') return { type: 'node', value };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    return Number.isInteger(value) ? { type: 'integer', value } : { type: 'decimal', value };
  }
  if (typeof value === 'string') return { type: 'string', value };
  return { type: 'string', value: stableJson(value) };
}

export function edgeAttributes(e: UpgEdge, marks: Marks): Attribute[] {
  const out: Attribute[] = [];
  const str = (name: string, value: string | undefined) => value !== undefined && out.push({ name, value: { type: 'string', value } });
  const int = (name: string, value: number | undefined) =>
    value !== undefined && Number.isFinite(value) && out.push({ name, value: { type: Number.isInteger(value) ? 'integer' : 'decimal', value } as AttributeValue });
  str('op', e.op);
  int('count', e.count);
  int('bytes', e.bytes);
  str('activationId', e.activationId);
  str('source', e.source);
  if (marks.pathEdges.has(e.id)) out.push({ name: 'onCausalPath', value: { type: 'boolean', value: true } });
  return out;
}

/** prov:label of a node. */
export function provLabel(v: ViewNode): string {
  return nodeLabel(v, 200);
}

/** Which nodes the PROV exports flag as sensitive sources and as sinks outside the platform. */
export function flowMarks(input: ExportInput, marks: Marks): { sensitive: Set<string>; outside: Set<string> } {
  const sensitive = new Set(input.sensitive ?? []);
  const outside = new Set(input.outside ?? []);
  for (const m of marks.incidents) {
    // An exfiltration incident's artifact is the sensitive data; any incident's sink is outside.
    if (m.incident.kind === 'exfiltration') for (const id of m.nodes.artifact) sensitive.add(id);
    for (const id of m.nodes.sink) outside.add(id);
  }
  return { sensitive, outside };
}

/** What both PROV exports say of one incident, in the sp: vocabulary; each writes it in its own syntax. */
export interface IncidentStatement {
  label: string;
  /** sp:incidentId, sp:incidentKind, sp:verdict */
  literals: Array<[string, string]>;
  /** sp:detectedAt, ISO 8601, when readable */
  detectedAt?: string;
  /** sp:reason, when given */
  reason?: string;
  /** sp:planter, sp:victim, sp:container, sp:artifact, sp:sink: the graph nodes it names in each role (only roles it fills) */
  references: Array<[string, string[]]>;
  /** what the incident names that the graph does not hold, when anything */
  unresolved?: string;
}

const REFERENCE_ROLES = ['planter', 'victim', 'container', 'artifact', 'sink'] as const;

export function incidentStatement(m: IncidentMarks): IncidentStatement {
  const i = m.incident;
  const literals: Array<[string, string]> = [
    ['sp:incidentId', i.id],
    ['sp:incidentKind', i.kind],
    ['sp:verdict', i.verdict],
  ];
  const out: IncidentStatement = { label: `${i.verdict} ${i.kind}`, literals, references: [] };
  const detected = detectedTime(i.detectedAt);
  if (detected) out.detectedAt = detected;
  if (i.reason) out.reason = i.reason;
  for (const role of REFERENCE_ROLES) if (m.nodes[role].length) out.references.push([`sp:${role}`, m.nodes[role]]);
  if (m.unresolved.length) out.unresolved = m.unresolved.join('; ');
  return out;
}

/** An incident's detection time as ISO 8601 (the contract allows ms or an ISO string); undefined when unreadable. */
export function detectedTime(value: number | string | undefined): string | undefined {
  if (typeof value === 'number') return isoTime(value);
  if (typeof value === 'string') return isoTime(Date.parse(value));
  return undefined;
}
