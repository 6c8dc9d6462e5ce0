// The names the PROV exports give things. Graph node ids are already deterministic and global
// (upg/ids.ts), so a node's IRI is its id under one namespace: the same file, item or activation
// gets the same IRI in every request's export, and exports of several requests join in any RDF store.
import type { NodeKind } from '../types';

/** Our vocabulary: node kinds as classes, node and edge fields as properties. */
export const VOCAB_NS = 'urn:serverless-provenance:vocab#';
/** Graph nodes, by node id. */
export const NODE_NS = 'urn:serverless-provenance:node:';
/** Graph edges (PROV qualified relations), by edge id. */
export const EDGE_NS = 'urn:serverless-provenance:edge:';
/** Incidents found by the analyses, by incident id. */
export const INCIDENT_NS = 'urn:serverless-provenance:incident:';
export const PROV_NS = 'http://www.w3.org/ns/prov#';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema#';
export const RDFS_NS = 'http://www.w3.org/2000/01/rdf-schema#';

/** Prefixes as the exports declare them. */
export const PREFIXES: Record<string, string> = {
  sp: VOCAB_NS,
  node: NODE_NS,
  edge: EDGE_NS,
  incident: INCIDENT_NS,
};

/** The class name of each node kind in our vocabulary (sp:Activation, sp:File, ...). */
export const KIND_CLASS: Record<NodeKind, string> = {
  request: 'Request',
  activation: 'Activation',
  unit: 'Unit',
  process: 'Process',
  startup: 'Startup',
  action: 'Action',
  container: 'Container',
  invoker: 'Invoker',
  client: 'Client',
  file: 'File',
  socket: 'Socket',
  item: 'Item',
  message: 'Message',
  log: 'Log',
};

// Characters kept as they are in a local name: IRI-safe, and readable ids ("act:P", "file:inv0/c1:/tmp/x")
// stay readable. Everything else (including "%") is percent-encoded as UTF-8, so the encoding is one-to-one.
const SAFE = /[A-Za-z0-9\-._~:@/!$&'()*+,;=]/;

export function localName(id: string): string {
  let out = '';
  for (const ch of id) {
    if (SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
