// The correlator's LMS stage, used by assemble.ts while it walks a batch: log lines of
// activations whose begin named a profile are matched to templates (stored as template + values),
// split into execution units (unit nodes, and the records that happened inside a unit attributed to
// it), and, when the activation ends, its template sequence is checked against the LMS-CFG
// (deviations on the activation node and as graph warnings). Pure: profiles are loaded by the caller.
import { createMatcher } from '../../lms/matcher';
import { checkSequence } from '../../lms/sequence';
import type { LmsProfile } from '../../lms/types';
import type { ActivationMeta } from '../../store/types';
import { nodeIds, shortHash } from '../../upg/ids';
import type { ActivationDeviation, LogNode } from '../../upg/types';
import type { ProvRecord } from '../../protocol/wrapper-records';
import { activationNode, type RecordScope } from '../assemble/record-facts';
import type { FragmentBuilder } from '../assemble/fragment-builder';
import { encodePosition, resumePosition, takeLine, profileTools, stepLine, trackedSequence, type LmsPosition, type ProfileTools } from './cfg-position';
import { unitScopedBuilder } from './unit-scoped-builder';

export const LMS_PROFILE_MISSING = 'lms-profile-missing';
export const LMS_UNMATCHED = 'lms-unmatched';
export const LMS_DEVIATION = 'lms-deviation';
export const LMS_UNCHECKED = 'lms-unchecked';

/** Unit node id: readable activation id and the unit's index. */
export function unitNodeId(activationId: string, index: number): string {
  const a = activationId.length <= 120 ? activationId : `${activationId.slice(0, 60)}…#${shortHash(activationId)}`;
  return `unit:${a}#${index}`;
}

interface Tracked {
  tools?: ProfileTools;
  /** the profile the activation's begin named */
  hash: string;
  /** the missing profile was reported for this activation in this batch */
  reported?: boolean;
  pos: LmsPosition;
  scope: RecordScope;
  /** the end record's outcome, when it was in this batch */
  ended?: { ok: boolean };
  units: Set<number>;
}

export interface LogFields {
  /** extra fields of the log node (template, values, envelope) */
  fields: Partial<LogNode>;
  /** the activity that generated the line: its unit node, when it has one */
  actor?: string;
}

export class LmsStage {
  private readonly tools = new Map<string, ProfileTools>();
  private readonly tracked = new Map<string, Tracked>();
  /** profile named by a begin record of this batch, by activation */
  private readonly named = new Map<string, string>();

  constructor(
    private readonly builder: FragmentBuilder,
    private readonly profiles: ReadonlyMap<string, LmsProfile>,
    /** which batch this is: a batch delivered again restarts from where it started the first time */
    private readonly batch: { invoker: string; batch: number },
  ) {}

  private toolsFor(hash: string): ProfileTools | undefined {
    let t = this.tools.get(hash);
    if (!t) {
      const profile = this.profiles.get(hash);
      if (!profile) return undefined;
      t = profileTools(profile, createMatcher(profile));
      this.tools.set(hash, t);
    }
    return t;
  }

  private trackedOf(meta: ActivationMeta, scope: RecordScope): Tracked | undefined {
    let t = this.tracked.get(meta.activationId);
    if (t) {
      t.scope = scope;
      return t;
    }
    const hash = this.named.get(meta.activationId) ?? meta.profile;
    if (hash === undefined) return undefined;
    const tools = this.toolsFor(hash);
    t = { tools, hash, pos: resumePosition(meta.lms, this.batch), scope, units: new Set() };
    this.tracked.set(meta.activationId, t);
    return t;
  }

  /** A log line of an activation (text without the wrapper's id prefix). */
  onLog(meta: ActivationMeta, scope: RecordScope, line: { stream: 'stdout' | 'stderr'; seq: number; time: number }, text: string): LogFields {
    const t = this.trackedOf(meta, scope);
    if (t && !t.tools) this.reportMissing(t, meta);
    // a line taken in an earlier delivery of this batch keeps what that delivery stored
    if (!t?.tools || !takeLine(t.pos, line.stream, line.seq)) return { fields: {} };
    const time = line.time;
    const out = stepLine(t.tools, t.pos, text);
    const fields: Partial<LogNode> = {};
    if (out.match) {
      fields.template = out.match.templateId;
      fields.values = out.match.values;
      if (out.match.envelope !== undefined) fields.envelope = out.match.envelope;
    }
    if (out.unit === undefined) return { fields };
    return { fields, actor: this.unit(t, meta, out.unit, time) };
  }

  /**
   * Reported when a log line is kept raw, not at the begin: the wrapper sends the deployment that
   * carries the profile right after the begin, so a batch cut between the two would otherwise leave
   * a warning behind although every line of the activation is matched (the next batch stores the
   * profile before it judges them). A line comes after the deployment in the container's output, so
   * a profile still missing when a line needs it is missing for good.
   */
  private reportMissing(t: Tracked, meta: ActivationMeta): void {
    if (t.reported) return;
    t.reported = true;
    this.builder.addWarning(meta.requestId, {
      code: LMS_PROFILE_MISSING,
      message: `the action's LMS profile ${t.hash} is not in the store: its log lines are kept raw (deploy the service with serverless-provenance to register it)`,
      activationId: meta.activationId,
    });
  }

  /**
   * The builder to hand addRecordFacts for one record: inside a unit (after a line of the unit and
   * before the next unit's first line) the record's edges name the unit instead of the activation.
   */
  forRecord(builder: FragmentBuilder, record: ProvRecord, meta: ActivationMeta, scope: RecordScope): FragmentBuilder {
    if (record.t === 'begin') {
      if (record.lp) {
        this.named.set(record.a, record.lp);
        builder.addNode(meta.requestId, activationNode(scope, { profile: record.lp }));
        this.trackedOf({ ...meta, profile: record.lp }, scope);
      }
      return builder;
    }
    const t = this.trackedOf(meta, scope);
    if (!t?.tools) return builder;
    if (record.t === 'end') {
      t.ended = { ok: record.ok };
      return builder;
    }
    // invocations stay on the activation: the child's side names the parent activation, not a unit
    if (record.t === 'invoke' || t.pos.unit === undefined) return builder;
    return unitScopedBuilder(builder, nodeIds.activation(record.a), this.unit(t, meta, t.pos.unit, record.ts));
  }

  private unit(t: Tracked, meta: ActivationMeta, index: number, time: number): string {
    const id = unitNodeId(meta.activationId, index);
    this.builder.addNode(meta.requestId, { id, kind: 'unit', label: `unit ${index}`, activationId: meta.activationId, index, firstSeen: time, lastSeen: time });
    if (!t.units.has(index)) {
      t.units.add(index);
      this.builder.addEdge(meta.requestId, { from: id, to: nodeIds.activation(meta.activationId), kind: 'wasInformedBy', op: 'unit', activationId: meta.activationId, source: 'log' });
    }
    return id;
  }

  /**
   * After the batch: deviations of the activations that ended in it, unmatched-line counts, and the
   * LMS state every tracked activation keeps for its next batch (merged into `metas`).
   */
  finish(metas: ActivationMeta[], allMetas: ReadonlyMap<string, ActivationMeta>): ActivationMeta[] {
    const byId = new Map(metas.map((m) => [m.activationId, m]));
    for (const [activationId, t] of this.tracked) {
      const meta = byId.get(activationId) ?? allMetas.get(activationId);
      if (!meta) continue;
      const profile = this.named.get(activationId) ?? meta.profile;
      byId.set(activationId, { ...meta, profile, ...(t.tools ? { lms: encodePosition(t.pos) } : {}) });
      if (!t.tools || !t.ended) continue;
      this.judge(t, meta);
    }
    return [...byId.values()].sort((a, b) => (a.activationId < b.activationId ? -1 : a.activationId > b.activationId ? 1 : 0));
  }

  private judge(t: Tracked, meta: ActivationMeta): void {
    const { profile } = t.tools!;
    const request = meta.requestId;
    const deviations: ActivationDeviation[] = [];
    if (t.pos.overflow) {
      this.builder.addWarning(request, { code: LMS_UNCHECKED, message: `more log lines than the correlator tracks per activation: the LMS-CFG check was skipped`, activationId: meta.activationId });
    } else {
      for (const d of checkSequence(profile, trackedSequence(profile, t.pos), { complete: true, failed: !t.ended!.ok })) {
        deviations.push({ kind: d.kind, message: d.message, index: d.index, ...(d.templateId ? { templateId: d.templateId } : {}) });
      }
    }
    if (t.pos.unmatched > 0) {
      // a line the action's own code cannot print: a library's, or code the analyser never saw
      deviations.push({ kind: 'unmatched-line', message: `${t.pos.unmatched} log line(s) match no template of the action's code` });
      this.builder.addWarning(request, {
        code: LMS_UNMATCHED,
        message: `${t.pos.unmatched} log line(s) matched no template of the action's LMS profile and are kept raw`,
        activationId: meta.activationId,
        count: t.pos.unmatched,
      });
    }
    for (const d of deviations.filter((x) => x.kind !== 'unmatched-line')) {
      this.builder.addWarning(request, { code: LMS_DEVIATION, message: `${d.kind}: ${d.message}`, activationId: meta.activationId });
    }
    this.builder.addNode(request, activationNode(t.scope, { unmatched: t.pos.unmatched, ...(deviations.length ? { deviations } : {}) }));
  }
}
