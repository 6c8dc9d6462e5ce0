// PROV-O in Turtle (https://www.w3.org/TR/prov-o/). Each edge is written twice, as PROV-O intends:
// the unqualified property (prov:used, prov:wasGeneratedBy, ...) that SPARQL property paths can
// follow, and a qualified influence (prov:Usage, prov:Generation, ...) named by the edge id that
// carries the time, operation, count and bytes. PROV-O has no unqualified property for "activity
// started by activity", so that one is sp:wasStartedByActivity (declared a sub-property of
// prov:wasInfluencedBy) next to the qualified prov:Start with prov:hadActivity.
import type { EdgeKind, UpgEdge } from '../types';
import { edgeAttributes, flowMarks, incidentStatement, nodeAttributes, provLabel, type Attribute } from './attributes';
import { isoTime } from './describe';
import { combineGraphs, type ExportGraph, type ExportInput, type ViewNode } from './input';
import { markIncidents, type IncidentMarks, type Marks } from './marks';
import { EDGE_NS, INCIDENT_NS, KIND_CLASS, NODE_NS, PROV_NS, RDFS_NS, VOCAB_NS, XSD_NS, localName } from './namespaces';
import { triggerOf } from './prov-json';

/** For each relation: the unqualified property, the qualifying property, the influence class, and the property naming the cause in it. */
const QUALIFIED: Record<EdgeKind, { direct: string; qualified: string; cls: string; cause: string }> = {
  used: { direct: 'prov:used', qualified: 'prov:qualifiedUsage', cls: 'prov:Usage', cause: 'prov:entity' },
  wasGeneratedBy: { direct: 'prov:wasGeneratedBy', qualified: 'prov:qualifiedGeneration', cls: 'prov:Generation', cause: 'prov:activity' },
  wasInformedBy: { direct: 'prov:wasInformedBy', qualified: 'prov:qualifiedCommunication', cls: 'prov:Communication', cause: 'prov:activity' },
  wasStartedBy: { direct: 'sp:wasStartedByActivity', qualified: 'prov:qualifiedStart', cls: 'prov:Start', cause: 'prov:hadActivity' },
  wasAssociatedWith: { direct: 'prov:wasAssociatedWith', qualified: 'prov:qualifiedAssociation', cls: 'prov:Association', cause: 'prov:agent' },
  wasDerivedFrom: { direct: 'prov:wasDerivedFrom', qualified: 'prov:qualifiedDerivation', cls: 'prov:Derivation', cause: 'prov:entity' },
  wasInvalidatedBy: { direct: 'prov:wasInvalidatedBy', qualified: 'prov:qualifiedInvalidation', cls: 'prov:Invalidation', cause: 'prov:activity' },
};

/** PROV-O gives a time to these influences with prov:atTime; the others keep it as sp:time. */
const TIMED: Set<EdgeKind> = new Set(['used', 'wasGeneratedBy', 'wasStartedBy', 'wasInvalidatedBy']);

const PROV_CLASS_TERM = { activity: 'prov:Activity', entity: 'prov:Entity', agent: 'prov:Agent' } as const;

export function renderProvTurtle(input: ExportInput): string {
  const graph = combineGraphs(input.graphs);
  const marks = markIncidents(graph, input.incidents);
  const flow = flowMarks(input, marks);
  const out: string[] = [
    `# W3C PROV-O (Turtle) export of ${graph.requests.length === 1 ? `request ${graph.requests[0]}` : `${graph.requests.length} requests`}, by serverless-provenance.`,
    '# Nodes are named by their graph id under node:, edges (qualified influences) by edge id under edge:.',
    `@prefix prov: <${PROV_NS}> .`,
    `@prefix xsd: <${XSD_NS}> .`,
    `@prefix rdfs: <${RDFS_NS}> .`,
    `@prefix sp: <${VOCAB_NS}> .`,
    '',
    ...vocabulary(),
    '',
  ];
  for (const v of graph.nodes) out.push(nodeBlock(v, marks, flow), '');
  for (const e of graph.edges) out.push(edgeBlock(e, graph, marks), '');
  for (const m of marks.incidents) out.push(incidentBlock(m), '');
  return `${out.join('\n').trimEnd()}\n`;
}

/** Our classes and the one property PROV-O lacks, tied to PROV-O so generic PROV tools understand them. */
function vocabulary(): string[] {
  const lines = ['# vocabulary'];
  const classOf: Record<string, string> = {
    Request: 'prov:Activity', Activation: 'prov:Activity', Unit: 'prov:Activity', Process: 'prov:Activity',
    Action: 'prov:SoftwareAgent', Container: 'prov:SoftwareAgent', Invoker: 'prov:SoftwareAgent', Client: 'prov:Agent',
    File: 'prov:Entity', Socket: 'prov:Entity', Item: 'prov:Entity', Message: 'prov:Entity', Log: 'prov:Entity', Incident: 'prov:Entity',
  };
  for (const [cls, sup] of Object.entries(classOf)) lines.push(`sp:${cls} rdfs:subClassOf ${sup} .`);
  lines.push('sp:wasStartedByActivity rdfs:subPropertyOf prov:wasInfluencedBy ;');
  lines.push('  rdfs:comment "the started activity -> the activity that started it (PROV-DM wasStartedBy with a starter)" .');
  return lines;
}

function nodeBlock(v: ViewNode, marks: Marks, flow: { sensitive: Set<string>; outside: Set<string> }): string {
  const types: string[] = [PROV_CLASS_TERM[v.provClass]];
  if (v.kind) types.push(`sp:${KIND_CLASS[v.kind]}`);
  const props: string[] = [`a ${types.join(', ')}`, `rdfs:label ${literal(provLabel(v))}`];
  const n = v.node;
  if (n && (n.kind === 'request' || n.kind === 'activation')) {
    const start = isoTime(n.start);
    const end = isoTime(n.end);
    if (start) props.push(`prov:startedAtTime ${dateTime(start)}`);
    if (end) props.push(`prov:endedAtTime ${dateTime(end)}`);
  }
  for (const a of nodeAttributes(v)) props.push(`sp:${a.name} ${term(a)}`);
  for (const role of [...(marks.roles.get(v.id) ?? [])].sort()) props.push(`sp:role ${literal(role)}`);
  if (flow.sensitive.has(v.id)) props.push('sp:sensitive true');
  if (flow.outside.has(v.id)) props.push('sp:outside true');
  return statement(nodeIri(v.id), props);
}

function edgeBlock(e: UpgEdge, graph: ExportGraph, marks: Marks): string {
  const q = QUALIFIED[e.kind];
  const edge = iri(EDGE_NS + localName(e.id));
  const subject: string[] = [`${q.direct} ${nodeIri(e.to)}`, `${q.qualified} ${edge}`];
  const influence: string[] = [`a ${q.cls}`, `${q.cause} ${nodeIri(e.to)}`];
  const time = isoTime(e.time);
  if (time) influence.push(`${TIMED.has(e.kind) ? 'prov:atTime' : 'sp:time'} ${dateTime(time)}`);
  if (e.kind === 'wasStartedBy') {
    const trigger = triggerOf(e, graph);
    if (trigger) {
      subject.push(`prov:wasStartedBy ${nodeIri(trigger)}`);
      influence.push(`prov:entity ${nodeIri(trigger)}`);
    }
  }
  for (const a of edgeAttributes(e, marks)) influence.push(`sp:${a.name} ${term(a)}`);
  return `${statement(nodeIri(e.from), subject)}\n${statement(edge, influence)}`;
}

function incidentBlock(m: IncidentMarks): string {
  const st = incidentStatement(m);
  const props: string[] = ['a prov:Entity, sp:Incident', `rdfs:label ${literal(st.label)}`];
  for (const [p, value] of st.literals) props.push(`${p} ${literal(value)}`);
  if (st.detectedAt) props.push(`sp:detectedAt ${dateTime(st.detectedAt)}`);
  if (st.reason) props.push(`sp:reason ${literal(st.reason)}`);
  for (const [p, ids] of st.references) props.push(`${p} ${ids.map(nodeIri).join(', ')}`);
  // An RDF list keeps the path's order.
  if (m.nodes.path.length) props.push(`sp:path ( ${m.nodes.path.map(nodeIri).join(' ')} )`);
  if (st.unresolved) props.push(`sp:unresolved ${literal(st.unresolved)}`);
  return statement(iri(INCIDENT_NS + localName(m.incident.id)), props);
}

function statement(subject: string, props: string[]): string {
  return `${subject}\n  ${props.join(' ;\n  ')} .`;
}

function term(a: Attribute): string {
  switch (a.value.type) {
    case 'string':
      return literal(a.value.value);
    case 'integer':
      return `"${a.value.value}"^^xsd:integer`;
    case 'decimal':
      return `"${a.value.value}"^^xsd:double`;
    case 'boolean':
      return a.value.value ? 'true' : 'false';
    case 'dateTime':
      return dateTime(a.value.value);
    case 'node':
      return nodeIri(a.value.value);
  }
}

const nodeIri = (id: string) => iri(NODE_NS + localName(id));
/** localName() leaves only IRI-safe characters, so the IRI needs no further escaping. */
const iri = (text: string) => `<${text}>`;
const dateTime = (iso: string) => `"${iso}"^^xsd:dateTime`;

/** A Turtle string literal: backslash, quote and control characters escaped. */
export function literal(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
