// The correlator's LMS stage on the real restock action's profile: log lines stored as template +
// values and rebuilt exactly, one unit per delivery line with its DynamoDB write attributed to it,
// state carried across batches, re-delivery idempotent, deviations and unmatched lines flagged.
import * as path from 'node:path';
import { format } from 'node:util';
import { describe, expect, it } from 'vitest';
import { analyzeAction } from '../../lms/analyze';
import { createMatcher } from '../../lms/matcher';
import { profileHash } from '../../lms/profile-hash';
import { assignUnits } from '../../lms/sequence';
import { CfgWalker } from '../../lms/walk';
import type { LmsProfile } from '../../lms/types';
import type { ActivationMeta } from '../../store/types';
import { indexGraph, walk } from '../../upg/graph';
import { causalWalk } from '../../upg/causal-walk';
import { renderTree } from '../../upg/render/tree';
import { nodeIds } from '../../upg/ids';
import { mergeFragments } from '../../upg/merge';
import type { ActivationNode, LogNode, RequestGraph } from '../../upg/types';
import { assemble } from '../assemble/assemble';
import { classifyBatch } from '../ingest/classify-batch';
import { ActivationWriter, ContainerOutput, makeBatch } from '../../test/batch-builder';
import { LMS_DEVIATION, LMS_PROFILE_MISSING, LMS_UNMATCHED, unitNodeId } from './stage';
import { startPosition, stepUnits } from './cfg-position';
import type { Batch, StreamLine } from '../../protocol/batch';

const RESTOCK = path.resolve(__dirname, '..', '..', 'examples', 'hello-retail', 'actions', 'restock.js');
const profile = analyzeAction(RESTOCK);
const hash = profileHash(profile);
const profiles = new Map<string, LmsProfile>([[hash, profile]]);
const REQ = 'req-restock-1';
const ACT = 'act-restock-1';
const TABLE = 'hello-retail-products';
const PRODUCTS = ['shoe-trail-runner', 'hat-wool-beanie', 'coat-storm-shell'];

/** What restock.js prints and records for a delivery, as the wrapper writes it (real signed records). */
function restockOutput(opts: { lp?: string; plant?: 'out-of-order' | 'foreign-line' } = {}): ContainerOutput {
  const w = new ActivationWriter(ACT, REQ, 'ab'.repeat(16));
  const c = new ContainerOutput({ container: 'c1', invoker: 'inv0', action: '/_/restock', started: 1 });
  let t = 1000;
  c.write(w.begin(t, { act: '/_/restock', ns: '_', pid: 7, host: 'c1', cold: true, ...(opts.lp ? { lp: opts.lp } : {}) }), t++);
  c.write(w.log(format('delivery %s: %d line(s)', 'd-1', PRODUCTS.length)), t++);
  PRODUCTS.forEach((p, i) => {
    if (opts.plant === 'out-of-order' && i === 1) c.write(w.log(`restocked ${p}: stock now 99`), t++);
    c.write(w.log(`restocking ${p} by ${i + 2}`), t++);
    // the SDK's request to the DynamoDB endpoint: one socket shared by every iteration
    c.write(w.record({ t: 'http', method: 'POST', url: 'http://127.0.0.1:4567/', host: '127.0.0.1', port: 4567, status: 200 }, t), t++);
    c.write(w.record({ t: 'ddb', op: 'UpdateItem', table: TABLE, key: { id: p } }, t), t++);
    if (opts.plant === 'foreign-line' && i === 2) c.write(w.log('sending /etc/passwd to 10.0.0.9'), t++, 'stderr');
    c.write(w.log(`restocked ${p}: stock now ${10 * (i + 1)}`), t++);
  });
  c.write(w.log(`delivery d-1 done: ${PRODUCTS.length} product(s) restocked`), t++);
  c.write(w.record({ t: 'end', ok: true, dur: 20 }, t), t++);
  c.sentinel(t);
  return c;
}

function run(batches: Batch[], state = new Map<string, ActivationMeta>()): RequestGraph {
  const fragments = batches.flatMap((b) => {
    const out = assemble(classifyBatch(b), state, profiles);
    for (const m of out.metas) state.set(m.activationId, m);
    return out.fragments;
  });
  return mergeFragments(REQ, fragments);
}

const logs = (g: RequestGraph) => g.nodes.filter((n): n is LogNode => n.kind === 'log').sort((a, b) => a.time! - b.time!);
const activation = (g: RequestGraph) => g.nodes.find((n): n is ActivationNode => n.kind === 'activation')!;
const facts = (g: RequestGraph) => [...new Set(g.edges.map((e) => `${e.from} ${e.kind} ${e.to} ${e.op ?? ''}`))].sort();
const rawTextOf = (line: string) => line.replace(/^\[prov \S+ \S+\] /, '');

describe('LMS stage: a normal restock delivery', () => {
  const out = restockOutput({ lp: hash });
  const g = run([makeBatch('inv0', 1, [out])]);
  const matcher = createMatcher(profile);

  it('stores every log line as template + values that rebuild it byte for byte', () => {
    const printed = out.lines.filter((l) => l.line.startsWith('[prov ')).map((l) => rawTextOf(l.line));
    const got = logs(g);
    expect(got).toHaveLength(printed.length);
    got.forEach((n, i) => {
      expect(n.template, n.text).toBeDefined();
      expect(matcher.render(n.template!, n.values!, n.envelope)).toBe(printed[i]);
      expect(n.text).toBe(printed[i]);
    });
    expect(activation(g).profile).toBe(hash);
    expect(activation(g).unmatched).toBe(0);
    expect(activation(g).deviations).toBeUndefined();
    expect(g.warnings ?? []).toEqual([]);
  });

  it('makes one unit per delivery line, each informed by the activation, holding its lines and its write', () => {
    const units = g.nodes.filter((n) => n.kind === 'unit').map((n) => n.id).sort();
    expect(units).toEqual(PRODUCTS.map((_, i) => unitNodeId(ACT, i)));
    const act = nodeIds.activation(ACT);
    for (const [i, p] of PRODUCTS.entries()) {
      const unit = unitNodeId(ACT, i);
      expect(g.edges.some((e) => e.from === unit && e.to === act && e.kind === 'wasInformedBy')).toBe(true);
      const item = nodeIds.item(TABLE, { id: p });
      expect(g.edges.filter((e) => e.from === item && e.kind === 'wasGeneratedBy').map((e) => e.to)).toEqual([unit]);
      const lines = g.edges.filter((e) => e.to === unit && e.kind === 'wasGeneratedBy' && e.from.startsWith('log:'));
      expect(lines).toHaveLength(2);
    }
    // the lines before and after the loop belong to the activation itself
    expect(g.edges.filter((e) => e.to === act && e.from.startsWith('log:'))).toHaveLength(2);
  });

  it('a backward trace from one record follows only its unit (no dependency explosion)', () => {
    const index = indexGraph(g);
    const item = nodeIds.item(TABLE, { id: PRODUCTS[1] });
    // a walk blind to time crosses the shared DynamoDB socket into every later unit
    expect(walk(index, item, 'backward').steps.map((s) => s.node.id)).toContain(unitNodeId(ACT, 2));
    const reached = causalWalk(index, item, 'backward').steps.map((s) => s.node.id);
    expect(reached).toContain(nodeIds.socket('tcp', '127.0.0.1', 4567));
    expect(reached).toContain(unitNodeId(ACT, 1));
    expect(reached).toContain(nodeIds.activation(ACT));
    for (const other of [0, 2]) {
      expect(reached).not.toContain(unitNodeId(ACT, other));
      expect(reached).not.toContain(nodeIds.item(TABLE, { id: PRODUCTS[other] }));
    }
  });

  it('the trace tree shows each unit with its item and its lines', () => {
    const tree = renderTree(g, { color: false });
    PRODUCTS.forEach((p, i) => expect(tree).toMatch(new RegExp(`unit ${i}\\n(?:.*\\n){0,3}.*${TABLE} id=${p}  UpdateItem[\\s\\S]*?restocking ${p} by`)));
  });

  it('gives the same graph when the activation is cut across batches at any line, and when a batch comes twice', () => {
    const whole = facts(g);
    const lines = out.lines;
    for (let cut = 1; cut < lines.length; cut++) {
      const first = makeBatch('inv0', 1, [out], lines.slice(0, cut));
      const second = makeBatch('inv0', 2, [out], lines.slice(cut));
      const state = new Map<string, ActivationMeta>();
      const split = run([first, second], state);
      expect(facts(split), `cut at ${cut}`).toEqual(whole);
      expect(logs(split).map((n) => [n.template, n.values])).toEqual(logs(g).map((n) => [n.template, n.values]));
    }
    const twice = run([makeBatch('inv0', 1, [out]), makeBatch('inv0', 1, [out])]);
    expect(facts(twice)).toEqual(whole);
    expect(twice.nodes.filter((n) => n.kind === 'unit')).toHaveLength(PRODUCTS.length);
  });
});

describe('LMS stage: what the code cannot print', () => {
  it('flags a line seen out of order as a deviation, on the activation and as a warning', () => {
    const g = run([makeBatch('inv0', 1, [restockOutput({ lp: hash, plant: 'out-of-order' })])]);
    const kinds = (activation(g).deviations ?? []).map((d) => d.kind);
    expect(kinds).toContain('out-of-order');
    expect((g.warnings ?? []).some((w) => w.code === LMS_DEVIATION && w.activationId === ACT)).toBe(true);
  });

  it('keeps a line no template matches raw, counts it, and flags it', () => {
    const g = run([makeBatch('inv0', 1, [restockOutput({ lp: hash, plant: 'foreign-line' })])]);
    const foreign = logs(g).find((n) => n.text.includes('/etc/passwd'))!;
    expect(foreign.template).toBeUndefined();
    expect(foreign.text).toBe('sending /etc/passwd to 10.0.0.9');
    expect(activation(g).unmatched).toBe(1);
    expect(activation(g).deviations?.map((d) => d.kind)).toEqual(['unmatched-line']);
    expect(g.warnings?.find((w) => w.code === LMS_UNMATCHED)?.count).toBe(1);
  });

  it('keeps lines raw, with a warning, when the named profile is not known', () => {
    const g = run([makeBatch('inv0', 1, [restockOutput({ lp: 'lpnotdeployed' })])]);
    expect(logs(g).every((n) => n.template === undefined && n.text !== '')).toBe(true);
    expect(g.warnings?.map((w) => w.code)).toEqual([LMS_PROFILE_MISSING]);
    expect(g.nodes.some((n) => n.kind === 'unit')).toBe(false);
  });

  it('no warning when the batch of the begin lacks the profile and the next batch brings it', () => {
    // the wrapper sends the deployment (with the profile) right after the begin: a batch cut between
    // them is judged without it, the next one with it, and every line is matched
    const out = restockOutput({ lp: hash });
    const state = new Map<string, ActivationMeta>();
    const fragments = [
      { batch: makeBatch('inv0', 1, [out], out.lines.slice(0, 1)), known: new Map<string, LmsProfile>() },
      { batch: makeBatch('inv0', 2, [out], out.lines.slice(1)), known: profiles },
    ].flatMap(({ batch, known }) => {
      const o = assemble(classifyBatch(batch), state, known);
      for (const m of o.metas) state.set(m.activationId, m);
      return o.fragments;
    });
    const g = mergeFragments(REQ, fragments);
    expect(logs(g).length).toBeGreaterThan(0);
    expect(logs(g).every((n) => n.template !== undefined)).toBe(true);
    expect(g.warnings ?? []).toEqual([]);
  });

  it('does nothing for activations whose begin names no profile', () => {
    const g = run([makeBatch('inv0', 1, [restockOutput()])]);
    expect(logs(g).every((n) => n.template === undefined)).toBe(true);
    expect(activation(g).profile).toBeUndefined();
    expect(g.warnings ?? []).toEqual([]);
  });
});

describe('stepUnits (incremental) agrees with assignUnits (whole sequence)', () => {
  function rng(seed: number) {
    return () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
  }
  it('on 300 random template sequences of the restock profile, nulls included', () => {
    const r = rng(11);
    const ids = [...profile.templates.map((t) => t.id), null];
    const walker = new CfgWalker(profile);
    for (let k = 0; k < 300; k++) {
      const seq = Array.from({ length: 1 + Math.floor(r() * 14) }, () => ids[Math.floor(r() * ids.length)]!);
      const pos = startPosition();
      const incremental = seq.map((t) => {
        if (t !== null) stepUnits(walker, pos, t);
        return pos.unit;
      });
      expect(incremental, JSON.stringify(seq)).toEqual(assignUnits(profile, seq));
    }
  });
});

describe('unitScopedBuilder', () => {
  it('leaves lines of other activations alone', () => {
    const other = new ActivationWriter('act-other', REQ, 'cd'.repeat(16));
    const c = restockOutput({ lp: hash });
    const o = new ContainerOutput({ container: 'c2', invoker: 'inv0', action: '/_/publish', started: 1 });
    o.write(other.begin(1500, { act: '/_/publish', ns: '_', pid: 8, host: 'c2', cold: true }), 1500)
      .write(other.record({ t: 'ddb', op: 'PutItem', table: 'events', key: { id: 'e1' } }, 1501), 1501)
      .write(other.record({ t: 'end', ok: true, dur: 1 }, 1502), 1502);
    const g = run([makeBatch('inv0', 1, [c, o])]);
    const e1 = nodeIds.item('events', { id: 'e1' });
    expect(g.edges.filter((e) => e.from === e1).map((e) => e.to)).toEqual([nodeIds.activation('act-other')]);
  });
});

export type { StreamLine };
