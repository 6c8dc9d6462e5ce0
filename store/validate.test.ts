import { describe, expect, it } from 'vitest';
import type { GraphFragment } from '../upg/types';
import { StoreInputError, validateFragment, validateMetas } from './validate';
import type { ActivationMeta } from './types';

const ok: GraphFragment = {
  request: 'r',
  nodes: [{ id: 'act:a', kind: 'activation', activationId: 'a', requestId: 'r', action: '/_/x', container: 'ctr:c' }],
  edges: [{ id: 'e', from: 'act:a', to: 'ctr:c', kind: 'wasAssociatedWith' }],
  warnings: [{ code: 'c', message: 'm' }],
};

describe('validateFragment', () => {
  it('accepts a well-formed fragment', () => {
    expect(() => validateFragment(ok)).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    ['no request id', { ...ok, request: '' }, /fragment.request \(the request id\) must be a non-empty string/],
    ['no nodes array', { request: 'r', edges: [] }, /must have "nodes" and "edges" arrays/],
    ['a node without id', { ...ok, nodes: [{ kind: 'file' }] }, /fragment.nodes\[0\].id must be a non-empty string/],
    ['an unknown kind', { ...ok, nodes: [{ id: 'x', kind: 'gizmo' }] }, /unknown kind "gizmo"; known: request, activation/],
    ['an activation without container', { ...ok, nodes: [{ id: 'act:a', kind: 'activation' }] }, /activation node act:a: container/],
    ['an edge without "to"', { ...ok, edges: [{ id: 'e', from: 'a', kind: 'used' }] }, /fragment.edges\[0\].to/],
    ['an id too long for a key', { ...ok, nodes: [{ id: 'x'.repeat(500), kind: 'file' }] }, /longer than 400 bytes: build ids with upg\/ids.ts/],
    ['a warning without message', { ...ok, warnings: [{ code: 'c' }] }, /fragment.warnings\[0\] must have string "code" and "message"/],
  ])('refuses %s', (_name, fragment, message) => {
    expect(() => validateFragment(fragment as GraphFragment)).toThrow(StoreInputError);
    expect(() => validateFragment(fragment as GraphFragment)).toThrow(message);
  });
});

describe('validateMetas', () => {
  const meta: ActivationMeta = { activationId: 'a', requestId: 'r', action: '/_/x', container: 'ctr:c', key: 'k' };
  it('accepts complete metas and refuses incomplete ones', () => {
    expect(() => validateMetas([meta])).not.toThrow();
    expect(() => validateMetas([{ ...meta, key: undefined } as unknown as ActivationMeta])).toThrow(/activation meta a: key must be a string/);
  });
});
