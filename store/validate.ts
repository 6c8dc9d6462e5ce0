// Input checks for writes (pure): a fragment that would produce broken keys is refused with a message
// that names the bad part, before anything is written.
import { PROV_CLASS, type GraphFragment } from '../upg/types';
import type { ActivationMeta } from './types';

export class StoreInputError extends Error {
  override readonly name = 'StoreInputError';
}

/** DynamoDB limits a sort key to 1024 bytes; ids are used inside keys with a short prefix. */
const MAX_ID_BYTES = 400;

function checkId(value: unknown, what: string): void {
  if (typeof value !== 'string' || value === '') throw new StoreInputError(`${what} must be a non-empty string (got ${JSON.stringify(value)})`);
  if (Buffer.byteLength(value, 'utf8') > MAX_ID_BYTES) {
    throw new StoreInputError(`${what} is longer than ${MAX_ID_BYTES} bytes: build ids with upg/ids.ts, which hashes long parts`);
  }
}

export function validateFragment(fragment: GraphFragment): void {
  if (fragment === null || typeof fragment !== 'object') throw new StoreInputError('a graph fragment must be an object');
  checkId(fragment.request, 'fragment.request (the request id)');
  if (!Array.isArray(fragment.nodes) || !Array.isArray(fragment.edges)) {
    throw new StoreInputError(`fragment of request ${fragment.request} must have "nodes" and "edges" arrays`);
  }
  fragment.nodes.forEach((node, i) => {
    checkId(node?.id, `fragment.nodes[${i}].id`);
    if (!(node.kind in PROV_CLASS)) {
      throw new StoreInputError(`fragment.nodes[${i}] (${node.id}) has unknown kind ${JSON.stringify(node.kind)}; known: ${Object.keys(PROV_CLASS).join(', ')}`);
    }
    if (node.kind === 'activation') checkId(node.container, `activation node ${node.id}: container`);
  });
  fragment.edges.forEach((edge, i) => {
    checkId(edge?.id, `fragment.edges[${i}].id`);
    checkId(edge.from, `fragment.edges[${i}].from`);
    checkId(edge.to, `fragment.edges[${i}].to`);
    checkId(edge.kind, `fragment.edges[${i}].kind`);
  });
  (fragment.warnings ?? []).forEach((w, i) => {
    if (typeof w?.code !== 'string' || typeof w.message !== 'string') {
      throw new StoreInputError(`fragment.warnings[${i}] must have string "code" and "message"`);
    }
  });
}

export function validateMetas(metas: ActivationMeta[]): void {
  metas.forEach((m, i) => {
    checkId(m?.activationId, `activation meta [${i}].activationId`);
    for (const field of ['requestId', 'action', 'container', 'key'] as const) {
      if (typeof m[field] !== 'string') throw new StoreInputError(`activation meta ${m.activationId}: ${field} must be a string`);
    }
  });
}
