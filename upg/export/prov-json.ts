// W3C PROV-JSON (https://www.w3.org/submissions/prov-json/): activities, entities and agents keyed
// by qualified name, and one object per relation keyed by the edge id. Request graphs already use
// PROV relation names with PROV's direction (dependent -> cause), so each edge maps to one relation.
// Incidents become entities of type sp:Incident pointing at the nodes they are about.
import { nodeIds } from '../ids';
import type { EdgeKind, UpgEdge } from '../types';
import { edgeAttributes, flowMarks, incidentStatement, nodeAttributes, provLabel, type Attribute } from './attributes';
import { isoTime } from './describe';
import { combineGraphs, type ExportGraph, type ExportInput, type ViewNode } from './input';
import { markIncidents, type IncidentMarks, type Marks, type Role } from './marks';
import { KIND_CLASS, PREFIXES, localName } from './namespaces';

type JsonValue = string | number | boolean | { $: string; type: string } | JsonValue[];
type Record_ = Record<string, JsonValue>;

/** The PROV-JSON roles of each relation's two ends (from, to), in PROV-JSON's own key names. */
const RELATION_KEYS: Record<EdgeKind, [string, string]> = {
  used: ['prov:activity', 'prov:entity'],
  wasGeneratedBy: ['prov:entity', 'prov:activity'],
  wasInformedBy: ['prov:informed', 'prov:informant'],
  wasStartedBy: ['prov:activity', 'prov:starter'],
  wasAssociatedWith: ['prov:activity', 'prov:agent'],
  wasDerivedFrom: ['prov:generatedEntity', 'prov:usedEntity'],
  wasInvalidatedBy: ['prov:entity', 'prov:activity'],
};

/** Relations that carry prov:time in PROV-DM; for the others the time is kept as sp:time. */
const TIMED: Set<EdgeKind> = new Set(['used', 'wasGeneratedBy', 'wasStartedBy', 'wasInvalidatedBy']);

export function renderProvJson(input: ExportInput): string {
  return `${JSON.stringify(toProvJson(input), null, 2)}\n`;
}

export function toProvJson(input: ExportInput): Record<string, unknown> {
  const graph = combineGraphs(input.graphs);
  const marks = markIncidents(graph, input.incidents);
  const flow = flowMarks(input, marks);
  const doc: Record<string, Record<string, Record_>> = { activity: {}, entity: {}, agent: {} };
  for (const v of graph.nodes) {
    doc[v.provClass][qname(v.id)] = nodeRecord(v, marks, flow);
  }
  for (const m of marks.incidents) doc.entity[`incident:${localName(m.incident.id)}`] = incidentRecord(m);
  const relations: Record<string, Record<string, Record_>> = {};
  for (const e of graph.edges) {
    (relations[e.kind] ??= {})[`edge:${localName(e.id)}`] = relationRecord(e, graph, marks);
  }
  const out: Record<string, unknown> = { prefix: { ...PREFIXES } };
  for (const cls of ['entity', 'activity', 'agent'] as const) if (Object.keys(doc[cls]).length) out[cls] = doc[cls];
  for (const kind of Object.keys(RELATION_KEYS) as EdgeKind[]) if (relations[kind]) out[kind] = relations[kind];
  return out;
}

const qname = (nodeId: string) => `node:${localName(nodeId)}`;
const qnameValue = (nodeId: string) => ({ $: qname(nodeId), type: 'prov:QUALIFIED_NAME' });

function nodeRecord(v: ViewNode, marks: Marks, flow: { sensitive: Set<string>; outside: Set<string> }): Record_ {
  const r: Record_ = {};
  if (v.kind) r['prov:type'] = { $: `sp:${KIND_CLASS[v.kind]}`, type: 'prov:QUALIFIED_NAME' };
  r['prov:label'] = provLabel(v);
  const n = v.node;
  if (n && (n.kind === 'request' || n.kind === 'activation')) {
    const start = isoTime(n.start);
    const end = isoTime(n.end);
    if (start) r['prov:startTime'] = start;
    if (end) r['prov:endTime'] = end;
  }
  for (const a of nodeAttributes(v)) r[`sp:${a.name}`] = jsonValue(a);
  const roles = marks.roles.get(v.id);
  if (roles?.size) r['sp:role'] = [...roles].sort() as Role[];
  if (flow.sensitive.has(v.id)) r['sp:sensitive'] = true;
  if (flow.outside.has(v.id)) r['sp:outside'] = true;
  return r;
}

function jsonValue(a: Attribute): JsonValue {
  switch (a.value.type) {
    case 'dateTime':
      return { $: a.value.value, type: 'xsd:dateTime' };
    case 'node':
      return qnameValue(a.value.value);
    case 'decimal':
      return { $: String(a.value.value), type: 'xsd:double' };
    default:
      return a.value.value;
  }
}

function relationRecord(e: UpgEdge, graph: ExportGraph, marks: Marks): Record_ {
  const [fromKey, toKey] = RELATION_KEYS[e.kind];
  const r: Record_ = { [fromKey]: qname(e.from), [toKey]: qname(e.to) };
  const time = isoTime(e.time);
  if (time) {
    if (TIMED.has(e.kind)) r['prov:time'] = time;
    else r['sp:time'] = { $: time, type: 'xsd:dateTime' };
  }
  if (e.kind === 'wasStartedBy') {
    const trigger = triggerOf(e, graph);
    if (trigger) r['prov:trigger'] = qname(trigger);
  }
  for (const a of edgeAttributes(e, marks)) r[`sp:${a.name}`] = jsonValue(a);
  return r;
}

/** The invocation message that started an activation, when the graph holds it (PROV's trigger entity). */
export function triggerOf(e: UpgEdge, graph: ExportGraph): string | undefined {
  const started = graph.byId.get(e.from)?.node;
  const starter = graph.byId.get(e.to)?.node;
  if (started?.kind !== 'activation' || starter?.kind !== 'activation') return undefined;
  const id = nodeIds.message(starter.activationId, started.activationId);
  return graph.byId.get(id)?.node ? id : undefined;
}

function incidentRecord(m: IncidentMarks): Record_ {
  const st = incidentStatement(m);
  const r: Record_ = { 'prov:type': { $: 'sp:Incident', type: 'prov:QUALIFIED_NAME' }, 'prov:label': st.label };
  for (const [key, value] of st.literals) r[key] = value;
  if (st.detectedAt) r['sp:detectedAt'] = { $: st.detectedAt, type: 'xsd:dateTime' };
  if (st.reason) r['sp:reason'] = st.reason;
  for (const [key, ids] of st.references) r[key] = ids.length === 1 ? qnameValue(ids[0]) : ids.map(qnameValue);
  // The causal path in order, as one string (PROV-JSON attribute values are unordered sets).
  if (m.incident.path?.length) r['sp:path'] = m.incident.path.join(' -> ');
  if (st.unresolved) r['sp:unresolved'] = st.unresolved;
  return r;
}
