// The correlator's pure stage (DESIGN.md §3 step 5): from one batch of container output and the
// activation state known so far, the per-request graph fragments, the new activation state, and
// what was refused and why. No I/O here: index.ts loads state and writes results.
//
// Per container, lines are walked in the order the container wrote them. Records are judged
// (records.ts) and turned into graph facts (facts.ts); log lines go to the activation whose ids
// they carry, or, when they carry none, to the container's activation in progress if exactly one
// is in progress on that stream. The runtime's end-of-activation sentinel closes activations.
import type { ActivationMeta } from '../store/types';
import { nodeIds } from '../upg/ids';
import type { GraphFragment, GraphWarning } from '../upg/types';
import type { Batch, ContainerInfo, IngestResult, StreamLine } from '../protocol/batch';
import { classifyLine, type LineClass } from './classify';
import { activationNode, addRecordFacts, type RecordScope } from './facts';
import { FragmentBuilder } from './fragments';
import { judgeRecordLine } from './records';
import { LmsStage } from './lms-stage';
import type { LmsProfile } from '../lms/types';
import { joinKernel } from './kernel-join';
import { linesByContainer } from './streams';

/** A line no activation could be given: kept with its container, and counted. */
export interface UnattributedLine {
  container: string;
  stream: StreamLine['stream'];
  seq: number;
  time: number;
  text: string;
}

export interface AssembleOutput {
  /** one per request the batch touched, sorted by request id */
  fragments: GraphFragment[];
  /** the state of every activation the batch touched (new or advanced), sorted by activation id */
  metas: ActivationMeta[];
  result: IngestResult;
  unattributed: UnattributedLine[];
  /** warnings that belong to no known request (e.g. an unreadable record in a busy container) */
  unplaced: GraphWarning[];
}

/** Log lines claiming ids that do not match a known activation of their container. */
export const LOG_ID_MISMATCH = 'log-id-mismatch';
export const SEQ_GAP = 'seq-gap';
export const MISSING_END = 'missing-end';
export const EVENTS_DROPPED = 'events-dropped';

type Stream = StreamLine['stream'];
const STREAMS: Stream[] = ['stdout', 'stderr'];

interface ActivationProgress {
  seqs: Set<number>;
  begunHere: boolean;
  ended: boolean;
}

/** `profiles`: the LMS profiles (by hash) the batch's activations name, for template matching (issue 5). */
export function assemble(batch: Batch, known: ReadonlyMap<string, ActivationMeta>, profiles: ReadonlyMap<string, LmsProfile> = new Map()): AssembleOutput {
  const metas = new Map(known);
  const infos = new Map<string, ContainerInfo>(batch.containers.map((c) => [c.container, c]));
  const builder = new FragmentBuilder();
  const lms = new LmsStage(builder, profiles, batch);
  const progress = new Map<string, ActivationProgress>();
  const result: IngestResult = { requests: [], records: 0, logLines: 0, rejected: {}, unattributed: 0 };
  const unattributed: UnattributedLine[] = [];
  const unplaced: GraphWarning[] = [];

  const progressOf = (activationId: string): ActivationProgress => {
    let p = progress.get(activationId);
    if (!p) {
      p = { seqs: new Set(), begunHere: false, ended: false };
      progress.set(activationId, p);
    }
    return p;
  };

  for (const [container, lines] of linesByContainer(batch)) {
    const info = infos.get(container);
    const invoker = info?.invoker ?? batch.invoker;
    const containerNodeId = nodeIds.container(invoker, container);
    const classes = lines.map((l) => classifyLine(l.line));
    const scopeOf = (meta: ActivationMeta): RecordScope => ({
      request: meta.requestId,
      activationId: meta.activationId,
      action: meta.action,
      invoker,
      container,
      containerNodeId,
      containerInfo: info,
    });
    const ownMeta = (activationId: string, requestId?: string): ActivationMeta | undefined => {
      const meta = metas.get(activationId);
      if (!meta || meta.container !== containerNodeId) return undefined;
      if (requestId !== undefined && meta.requestId !== requestId) return undefined;
      return meta;
    };

    // Activations in progress per stream; the ones already running when this batch starts are
    // those the batch mentions before its first sentinel on that stream without beginning them.
    const inProgress = carriedOver(lines, classes, (id) => ownMeta(id) !== undefined);
    const closed: Record<Stream, Set<string>> = { stdout: new Set(), stderr: new Set() };
    const markActive = (activationId: string, stream: Stream) => {
      if (!closed[stream].has(activationId)) inProgress[stream].add(activationId);
    };
    const lone = (stream: Stream): ActivationMeta | undefined => {
      if (inProgress[stream].size !== 1) return undefined;
      return metas.get([...inProgress[stream]][0]);
    };

    const addLog = (meta: ActivationMeta, line: StreamLine, text: string) => {
      const scope = scopeOf(meta);
      const logId = nodeIds.log(meta.activationId, line.stream, line.seq);
      const matched = lms.onLog(meta, scope, line, text);
      builder.addNode(meta.requestId, activationNode(scope, { firstSeen: line.time, lastSeen: line.time }));
      builder.addNode(meta.requestId, {
        id: logId,
        kind: 'log',
        activationId: meta.activationId,
        stream: line.stream,
        seq: line.seq,
        text,
        time: line.time,
        firstSeen: line.time,
        ...matched.fields,
      });
      builder.addEdge(meta.requestId, {
        from: logId,
        to: matched.actor ?? nodeIds.activation(meta.activationId),
        kind: 'wasGeneratedBy',
        op: 'write',
        time: line.time,
        activationId: meta.activationId,
        source: 'log',
      });
      result.logLines += 1;
    };

    const addPlain = (line: StreamLine, text: string) => {
      const meta = lone(line.stream);
      if (meta) return addLog(meta, line, text);
      unattributed.push({ container, stream: line.stream, seq: line.seq, time: line.time, text });
      result.unattributed = (result.unattributed ?? 0) + 1;
    };

    lines.forEach((line, i) => {
      const cls = classes[i];
      switch (cls.kind) {
        case 'sentinel': {
          // Close what has ended; an activation that never wrote its end (killed, timed out)
          // is closed too when it is the only one in progress.
          const open = [...inProgress[line.stream]];
          let closing = open.filter((id) => progress.get(id)?.ended);
          if (closing.length === 0 && open.length === 1) {
            closing = open;
            const meta = metas.get(open[0]);
            if (meta && line.stream === 'stdout' && progress.get(open[0])?.begunHere) {
              builder.addWarning(meta.requestId, {
                code: MISSING_END,
                message: 'the activation finished without an end record (killed, timed out, or its output was cut)',
                activationId: meta.activationId,
              });
            }
          }
          for (const id of closing) {
            inProgress[line.stream].delete(id);
            closed[line.stream].add(id);
          }
          return;
        }
        case 'log': {
          const meta = ownMeta(cls.activationId, cls.requestId);
          if (meta) {
            markActive(meta.activationId, line.stream);
            return addLog(meta, line, cls.text);
          }
          // Ids that match no activation of this container are not believed: the line is
          // treated as carrying no ids at all.
          result.rejected[LOG_ID_MISMATCH] = (result.rejected[LOG_ID_MISMATCH] ?? 0) + 1;
          return addPlain(line, line.line);
        }
        case 'plain':
          return addPlain(line, cls.text);
        case 'record': {
          const verdict = judgeRecordLine(line.line, { containerNodeId, containerAction: info?.action, metas }, cls.parsed);
          if (!verdict.ok) {
            result.rejected[verdict.reason] = (result.rejected[verdict.reason] ?? 0) + 1;
            const warning: GraphWarning = { code: verdict.reason, message: `${verdict.message}: ${excerpt(line.line)}` };
            const targets = new Map<string, string>(); // request -> activation
            const claimed = verdict.claimedActivationId ? metas.get(verdict.claimedActivationId) : undefined;
            if (claimed) targets.set(claimed.requestId, claimed.activationId);
            const emitter = lone(line.stream);
            if (emitter && !targets.has(emitter.requestId)) targets.set(emitter.requestId, emitter.activationId);
            if (targets.size === 0) unplaced.push({ ...warning, count: 1 });
            for (const [request, activationId] of targets) builder.addWarning(request, { ...warning, activationId });
            return;
          }
          const { record, meta } = verdict;
          const p = progressOf(record.a);
          if (p.seqs.has(record.s)) return; // the same record twice in one batch
          p.seqs.add(record.s);
          if (record.t === 'begin') {
            if (!verdict.redelivered) metas.set(record.a, meta);
            p.begunHere = true;
            for (const s of STREAMS) markActive(record.a, s);
          } else {
            markActive(record.a, line.stream);
          }
          if (record.t === 'end') p.ended = true;
          result.records += 1;
          addRecordFacts(lms.forRecord(builder, record, meta, scopeOf(meta)), record, scopeOf(meta));
          return;
        }
      }
    });
  }

  // Kernel events join once this batch's begin records are known.
  joinKernel({ batch, metas, infos, builder, result, unplaced });

  // Sequence gaps, and the activation state to keep for the next batches.
  const updatedMetas: ActivationMeta[] = [];
  for (const [activationId, p] of [...progress.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const meta = metas.get(activationId);
    if (!meta || p.seqs.size === 0) continue;
    const seqs = [...p.seqs].sort((a, b) => a - b);
    const base = p.begunHere ? 0 : known.get(activationId)?.nextSeq;
    const from = base !== undefined && base < seqs[0] ? base : seqs[0];
    const missing = seqs[seqs.length - 1] - from + 1 - seqs.length;
    if (missing > 0) {
      builder.addWarning(meta.requestId, {
        code: SEQ_GAP,
        message: `${missing} record(s) of this activation are missing (sequence gaps): lost or cut output`,
        activationId,
      });
    }
    updatedMetas.push({ ...meta, nextSeq: Math.max(meta.nextSeq ?? 0, seqs[seqs.length - 1] + 1) });
  }

  if (batch.drops && batch.drops > 0) {
    for (const request of new Set(updatedMetas.map((m) => m.requestId))) {
      builder.addWarning(request, {
        code: EVENTS_DROPPED,
        message: `the agent on ${batch.invoker} lost ${batch.drops} event(s) before batch ${batch.batch}: this graph may be incomplete`,
        count: batch.drops,
      });
    }
  }

  const withLms = lms.finish(updatedMetas, metas);
  const fragments = builder.build();
  nameParents(fragments);
  result.requests = fragments.map((f) => f.request);
  return { fragments, metas: withLms, result, unattributed, unplaced };
}

/**
 * Activations already in progress when the batch starts, per stream: mentioned (by a record or a
 * log line's ids) before the stream's first sentinel, not begun in this batch, and known to run
 * in this container.
 */
function carriedOver(lines: StreamLine[], classes: LineClass[], runsHere: (activationId: string) => boolean): Record<Stream, Set<string>> {
  const out: Record<Stream, Set<string>> = { stdout: new Set(), stderr: new Set() };
  for (const stream of STREAMS) {
    const begun = new Set<string>();
    for (let i = 0; i < lines.length; i++) {
      const cls = classes[i];
      if (cls.kind === 'sentinel' && lines[i].stream === stream) break;
      let mentioned: string | undefined;
      if (cls.kind === 'log') mentioned = cls.activationId;
      else if (cls.kind === 'record') {
        const parsed = cls.parsed;
        if ('record' in parsed) {
          if (parsed.record.t === 'begin') begun.add(parsed.record.a);
          else mentioned = parsed.record.a;
        }
      }
      if (mentioned !== undefined && !begun.has(mentioned) && runsHere(mentioned)) out[stream].add(mentioned);
    }
  }
  return out;
}

/**
 * A child activation's node names its parent when the parent's invoke record is in the same
 * request's fragment (the child's begin rarely knows its parent; the parent learns the child's id
 * from the platform). Across batches the wasStartedBy edge still joins them.
 */
function nameParents(fragments: GraphFragment[]): void {
  for (const fragment of fragments) {
    const parentOf = new Map<string, string>();
    for (const node of fragment.nodes) {
      if (node.kind === 'message' && node.to !== undefined) parentOf.set(node.to, node.from);
    }
    for (const node of fragment.nodes) {
      if (node.kind === 'activation' && node.parent === undefined && parentOf.has(node.activationId)) {
        node.parent = parentOf.get(node.activationId);
      }
    }
  }
}

function excerpt(line: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}
