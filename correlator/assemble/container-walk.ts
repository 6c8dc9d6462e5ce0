// One container's lines, walked in the order the container wrote them (a stage of assemble.ts).
// Records are judged (judge-record.ts) and turned into graph facts (record-facts.ts); log lines go
// to the activation whose ids they carry, or, when they carry none, to the container's activation
// in progress if exactly one is in progress on that stream. Where activations begin and end is the
// stream format's rule (protocol/activation-boundaries.ts), the same the agent splits by.
import { nodeIds } from '../../upg/ids';
import type { GraphWarning } from '../../upg/types';
import type { ActivationMeta } from '../../store/types';
import type { StreamLine } from '../../protocol/batch';
import { ActivationBoundaries, type StreamName } from '../../protocol/activation-boundaries';
import type { ClassifiedLine } from '../ingest/classify-batch';
import type { LineClass } from '../ingest/classify';
import { activationNode, addRecordFacts, type RecordScope } from './record-facts';
import { judgeRecordLine } from './judge-record';
import { countRejected, progressOf, type Assembly } from './assembly';

/** Log lines claiming ids that do not match a known activation of their container. */
export const LOG_ID_MISMATCH = 'log-id-mismatch';
/** A line over the agent's limit, cut: part of it is lost. */
export const LINE_CUT = 'line-cut';
/** An activation begun in this batch closed by the runtime's sentinel without an end record. */
export const MISSING_END = 'missing-end';

type RecordLine = Extract<LineClass, { kind: 'record' }>;
type LogLine = Extract<LineClass, { kind: 'log' }>;

export function walkContainer(asm: Assembly, container: string, lines: readonly ClassifiedLine[]): void {
  new ContainerWalk(asm, container, lines).run();
}

class ContainerWalk {
  private readonly invoker: string;
  private readonly containerNodeId: string;
  private readonly boundaries: ActivationBoundaries;

  constructor(
    private readonly asm: Assembly,
    private readonly container: string,
    private readonly lines: readonly ClassifiedLine[],
  ) {
    this.invoker = asm.infos.get(container)?.invoker ?? asm.batch.invoker;
    this.containerNodeId = nodeIds.container(this.invoker, container);
    // a line after the sentinel that closed its activation (seen by an earlier batch) does not carry that activation over
    this.boundaries = new ActivationBoundaries(carriedOver(lines, (id, line) => !!this.ownMeta(id) && !closedBefore(this.asm.metas.get(id)!, line)));
  }

  run(): void {
    for (const { line, cls } of this.lines) {
      if (line.cut) this.lineCut(line, cls);
      switch (cls.kind) {
        case 'sentinel':
          this.sentinel(line.stream, line.seq);
          break;
        case 'log':
          this.logWithIds(line, cls);
          break;
        case 'plain':
          this.plain(line, cls.text);
          break;
        case 'record':
          this.record(line, cls);
          break;
      }
    }
  }

  /** A line the agent cut to its limit: a warning on the request of the activation that wrote it. */
  private lineCut(line: StreamLine, cls: LineClass): void {
    const named = cls.kind === 'log' ? cls.activationId : cls.kind === 'record' && 'record' in cls.parsed ? cls.parsed.record.a : undefined;
    const meta = (named !== undefined ? this.ownMeta(named) : undefined) ?? this.loneMeta(line.stream);
    const warning: GraphWarning = {
      code: LINE_CUT,
      message: `a ${line.stream} line over the agent's limit was cut: ${line.cut} byte(s) of it are lost`,
    };
    if (meta) this.asm.builder.addWarning(meta.requestId, { ...warning, activationId: meta.activationId });
    else this.asm.unplaced.push({ ...warning, count: 1 });
  }

  private sentinel(stream: StreamName, seq: number): void {
    const { closed, withoutEnd } = this.boundaries.sentinel(stream);
    if (closed === undefined) return;
    const meta = this.asm.metas.get(closed);
    if (!meta) return;
    (progressOf(this.asm, closed).closedAt ??= {})[stream] = seq;
    // The runtime has finished the activation's output on this stream: a graph is complete only
    // once both streams are closed (upg/completeness.ts).
    this.asm.builder.addNode(meta.requestId, activationNode(this.scopeOf(meta), stream === 'stdout' ? { stdoutClosed: true } : { stderrClosed: true }));
    if (!withoutEnd || !this.asm.progress.get(closed)?.begunHere) return;
    this.asm.builder.addWarning(meta.requestId, {
      code: MISSING_END,
      message: 'the activation finished without an end record (killed, timed out, or its output was cut)',
      activationId: meta.activationId,
    });
  }

  private logWithIds(line: StreamLine, cls: LogLine): void {
    const meta = this.ownMeta(cls.activationId, cls.requestId);
    if (meta && (this.boundaries.isClosed(meta.activationId, line.stream) || closedBefore(meta, line))) {
      // The runtime closed that activation's output here already: a later activation of this
      // container (which may know the earlier one's ids) wrote the line, not the one it names.
      this.refused(line, {
        reason: LOG_ID_MISMATCH,
        message: `log line in ${this.containerNodeId} carries the ids of activation ${cls.activationId}, whose output on ${line.stream} had already ended`,
        claimedActivationId: cls.activationId,
      });
      return this.plain(line, line.line);
    }
    if (meta) {
      this.boundaries.mention(meta.activationId, line.stream);
      this.addLog(meta, line, cls.text);
      return;
    }
    // Ids that match no activation of this container are not believed: the line is treated as
    // carrying no ids at all. The claim is flagged on the graph of the activation that wrote it and
    // of the one it names (a contradiction, upg/trust.ts).
    const claimed = this.asm.metas.get(cls.activationId);
    const where = claimed ? (claimed.container !== this.containerNodeId ? `, which runs in ${claimed.container}` : `, whose request is ${claimed.requestId}`) : ', which is not known';
    this.refused(line, {
      reason: LOG_ID_MISMATCH,
      message: `log line in ${this.containerNodeId} carries the ids of activation ${cls.activationId}${where}`,
      claimedActivationId: cls.activationId,
    });
    this.plain(line, line.line);
  }

  private plain(line: StreamLine, text: string): void {
    const meta = this.loneMeta(line.stream);
    if (meta) return this.addLog(meta, line, text);
    this.asm.unattributed.push({ container: this.container, stream: line.stream, seq: line.seq, time: line.time, text });
    this.asm.result.unattributed = (this.asm.result.unattributed ?? 0) + 1;
  }

  private record(line: StreamLine, cls: RecordLine): void {
    const { asm } = this;
    const verdict = judgeRecordLine(line.line, { containerNodeId: this.containerNodeId, containerAction: asm.infos.get(this.container)?.action, metas: asm.metas }, cls.parsed);
    if (!verdict.ok) return this.refused(line, verdict);
    const { record, meta } = verdict;
    const p = progressOf(asm, record.a);
    if (p.seqs.has(record.s)) return; // the same record twice in one batch
    p.seqs.add(record.s);
    if (record.t === 'begin') {
      if (!verdict.redelivered) asm.metas.set(record.a, meta);
      p.begunHere = true;
      this.boundaries.begin(record.a);
    } else if (record.t === 'end') {
      this.boundaries.end(record.a, line.stream);
    } else {
      this.boundaries.mention(record.a, line.stream);
    }
    asm.result.records += 1;
    const scope = this.scopeOf(meta);
    addRecordFacts(asm.lms.forRecord(asm.builder, record, meta, scope), record, scope);
  }

  /** A refused record: counted, and a warning on the request it claims and on the one that wrote it. */
  private refused(line: StreamLine, verdict: { reason: string; message: string; claimedActivationId?: string }): void {
    const { asm } = this;
    countRejected(asm, verdict.reason);
    const warning: GraphWarning = { code: verdict.reason, message: `${verdict.message}: ${excerpt(line.line)}` };
    const targets = new Map<string, string>(); // request -> activation
    const claimed = verdict.claimedActivationId ? asm.metas.get(verdict.claimedActivationId) : undefined;
    if (claimed) targets.set(claimed.requestId, claimed.activationId);
    const emitter = this.loneMeta(line.stream);
    if (emitter && !targets.has(emitter.requestId)) targets.set(emitter.requestId, emitter.activationId);
    if (targets.size === 0) asm.unplaced.push({ ...warning, count: 1 });
    for (const [request, activationId] of targets) asm.builder.addWarning(request, { ...warning, activationId });
  }

  private addLog(meta: ActivationMeta, line: StreamLine, text: string): void {
    const { builder, lms, result } = this.asm;
    const scope = this.scopeOf(meta);
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
  }

  private loneMeta(stream: StreamName): ActivationMeta | undefined {
    const id = this.boundaries.lone(stream);
    return id === undefined ? undefined : this.asm.metas.get(id);
  }

  /** The activation, if it is known to run in this container (and for this request, when one is given). */
  private ownMeta(activationId: string, requestId?: string): ActivationMeta | undefined {
    const meta = this.asm.metas.get(activationId);
    if (!meta || meta.container !== this.containerNodeId) return undefined;
    if (requestId !== undefined && meta.requestId !== requestId) return undefined;
    return meta;
  }

  private scopeOf(meta: ActivationMeta): RecordScope {
    return {
      request: meta.requestId,
      activationId: meta.activationId,
      action: meta.action,
      invoker: this.invoker,
      container: this.container,
      containerNodeId: this.containerNodeId,
      containerInfo: this.asm.infos.get(this.container),
    };
  }
}

/**
 * Activations already in progress when the batch starts, per stream: mentioned (by a record or a
 * log line's ids) before the stream's first sentinel, not begun in this batch, and known to run
 * in this container.
 */
/** Whether an earlier batch saw the sentinel that closed the activation on the line's stream before the line. */
function closedBefore(meta: ActivationMeta, line: StreamLine): boolean {
  const at = meta.closedAt?.[line.stream];
  return at !== undefined && at < line.seq;
}

function carriedOver(lines: readonly ClassifiedLine[], runsHere: (activationId: string, line: StreamLine) => boolean): Record<StreamName, Set<string>> {
  const out: Record<StreamName, Set<string>> = { stdout: new Set(), stderr: new Set() };
  for (const stream of ['stdout', 'stderr'] as const) {
    const begun = new Set<string>();
    for (const { line, cls } of lines) {
      if (cls.kind === 'sentinel' && line.stream === stream) break;
      let mentioned: string | undefined;
      if (cls.kind === 'log') mentioned = cls.activationId;
      else if (cls.kind === 'record' && 'record' in cls.parsed) {
        if (cls.parsed.record.t === 'begin') begun.add(cls.parsed.record.a);
        else mentioned = cls.parsed.record.a;
      }
      if (mentioned !== undefined && !begun.has(mentioned) && runsHere(mentioned, line)) out[stream].add(mentioned);
    }
  }
  return out;
}

function excerpt(line: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}
