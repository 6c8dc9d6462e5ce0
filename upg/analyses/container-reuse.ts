// Container reuse (Alastor): an activation of one request leaves state in its warm container and an
// activation of a *different* request later uses it. Pure: runs over request graphs already loaded
// (incidents.ts / gather.ts decide which).
//
// WHAT IS AN INCIDENT
//   A file node of a container (each container has its own /tmp, so a file is identified per
//   container) whose history, in time order, shows a write by an activation X of request R1 and
//   then a use (read, open for reading, `load` as code, or exec as a program) by an activation Y of
//   a request R2 != R1, with no later write or deletion in between (the use is attributed to the
//   latest write before it). One incident per (container, file, X): X is the planter, every such Y
//   a victim. Writes and uses made by processes are attributed to the activation that started them.
//   A process X started that outlives X and is then touched directly by another request's activation
//   is an incident of its own (artifact kind `process`). Uses within the planter's own request are
//   never incidents. Nor is the runtime passing its own wake-up bytes through a pipe it made during
//   its start-up (a self-pipe every activation writes and the next reads): start-up state, not state
//   an activation left (startup-state.ts says exactly what that rule accepts).
//
// THE VERDICT RULE (quoted by the README)
//   Let A be the action (a container runs one action, so planter and victims share it). A file
//   behaviour is (write|use, operation, path with digit runs and long hex ids abstracted); its
//   support is the number of distinct activations of A, in the graphs analysed, that show it.
//   - attack, when any of:
//       (1) a victim loads the artifact as code (`load`) or executes it (exec, or spawns it);
//       (2) the planter carries LMS-CFG deviations (its log sequence left the action's control flow);
//       (3) the planting was done by a process after the planter's activation had ended (a process
//           left running in the container);
//       (4) the planting is behaviour the action does not normally show: its write behaviour has
//           support < minSupport (default 2), it is not a *fill* (below), and at least minModel
//           (default 3) activations of A were observed, so "not normal" is a claim backed by data;
//       (5) for a process artifact: its program was started by fewer than minSupport activations of A.
//   - benign-shared-state, when none of the above holds, the planting is *normal* (support >=
//     minSupport, or a fill: the first write of a file nothing in the container had touched before,
//     made by the container's first activation, i.e. a cache filled on the cold start), every use
//     is a plain read, and no victim carries LMS-CFG deviations (and, through a pipe the runtime made
//     for itself during start-up, the flow is only ever judged when the planter left bytes of its own
//     there or something other than the runtime touched it: never benign);
//   - suspicious otherwise (e.g. a file first written by a warm activation while too few
//     activations of A were observed to call that abnormal, or a victim with deviations).
//
// LIMITS (honest)
//   - Contents are not seen: a cache poisoned by the very request that fills it on a cold start, or
//     overwritten with the same operations the action normally uses, looks like a normal fill or
//     refresh and is reported benign unless LMS-CFG deviations or code loading give it away.
//   - A cache filled for the first time by a warm activation under a fixed name that no other
//     activation of the action writes is reported as an attack once minModel activations were
//     observed (rule 4); caches keyed by ids (`/tmp/price-42.json`) abstract to one behaviour and are fine.
//   - Only what the graphs show: without kernel capture, reads by native code or by processes the
//     wrapper does not see are missing; renames move an artifact to a new file node (wasDerivedFrom)
//     and the use of the renamed file is reported against the write of that new node.
//   - The model is built from the graphs analysed (the container's history and the requests that
//     touched it), not from every activation the action ever had.
import type { ActivationNode, FileNode, ProcessNode } from '../types';
import {
  actingActivation,
  containerActivationsIn,
  deviationsOf,
  edgesAt,
  partyOf,
  starterOf,
  type CrossGraph,
} from './cross-graph';
import { buildBehaviourModel, CODE_OPS, fileEvents, patternOf, type BehaviourModel, type FileEvent } from './behaviour';
import { incidentId } from './incident-id';
import { bytesLeft, isPlumbingFlow, isStartupPipe, runtimePidOfEdge, type PipeTouch } from './startup-state';
import { parsePipeName } from '../../protocol/pipe-name';
import { outsideSends, sinkOf, type SendEvent } from './sinks';
import type { AnalysisConfig, Incident, TimelineEvent, Verdict } from './types';

export function findContainerReuse(g: CrossGraph, config: AnalysisConfig, detectedAt: string, writeTimes?: ReadonlyMap<string, readonly number[]>): Incident[] {
  const model = buildBehaviourModel(g);
  const sends = outsideSends(g, config);
  const incidents: Incident[] = [];
  for (const n of g.byId.values()) {
    if (n.kind === 'file') incidents.push(...fileIncidents(g, n, model, config, sends, detectedAt, writeTimes?.get(n.id)));
    else if (n.kind === 'process') {
      const incident = processIncident(g, n, model, config, sends, detectedAt);
      if (incident) incidents.push(incident);
    }
  }
  return incidents.sort((a, b) => (a.id < b.id ? -1 : 1));
}

interface Flow {
  plant: FileEvent;
  /** events on the file before the planting write */
  touchedBefore: boolean;
  uses: FileEvent[];
}

function fileIncidents(
  g: CrossGraph,
  file: FileNode,
  model: BehaviourModel,
  config: AnalysisConfig,
  sends: SendEvent[],
  detectedAt: string,
  /** every write of the file the store knows, when not every writer was loaded */
  knownWrites?: readonly number[],
): Incident[] {
  const events = fileEvents(g, file);
  const flows = new Map<string, Flow>();
  let latest: { event: FileEvent; touchedBefore: boolean } | undefined;
  events.forEach((ev, i) => {
    if (ev.kind === 'write') latest = { event: ev, touchedBefore: events.slice(0, i).some((p) => p.activation.activationId !== ev.activation.activationId) };
    else if (ev.kind === 'gone') latest = undefined;
    else if (latest && latest.event.activation.requestId !== ev.activation.requestId) {
      const key = latest.event.activation.activationId;
      const flow = flows.get(key) ?? { plant: latest.event, touchedBefore: latest.touchedBefore, uses: [] };
      // The planter's first write is the planting; later writes of the same activation only refresh it.
      flows.set(key, flow);
      flow.uses.push(ev);
    }
  });
  const out: Incident[] = [];
  for (const flow of flows.values()) {
    const startup = parsePipeName(file.path) ? startupPipeFlow(g, file, flow, events, knownWrites) : undefined;
    if (startup?.plumbing) continue;
    out.push(fileIncident(g, file, flow, model, config, sends, detectedAt, startup?.plumbing === false ? startup.why : undefined));
  }
  return out;
}

/**
 * A flow through a pipe the runtime made during its start-up: plumbing when it is only the runtime
 * passing its own wake-up bytes along (startup-state.ts), else why it is more than that (evidence).
 * Such a pipe is written by nearly every activation, so the analysis may hold only some of them
 * (gather.ts loads the writes that loaded uses follow, not every writer): a use is judged only against
 * a planter with no unloaded write between them (from `knownWrites`, else: no unseen activation of the
 * container between them). Undefined: not such a pipe.
 */
function startupPipeFlow(g: CrossGraph, file: FileNode, flow: Flow, events: readonly FileEvent[], knownWrites: readonly number[] | undefined): { plumbing: true } | { plumbing: false; why: string } | undefined {
  const planter = flow.plant.activation;
  const activations = containerActivationsIn(g, file.container);
  const runtimePid = runtimePidOf(g, planter);
  if (!isStartupPipe(file, activations[0]?.start, new Set(runtimePid === undefined ? [] : [runtimePid]))) return undefined;
  const touch = (ev: FileEvent): PipeTouch => ({ kind: ev.kind, op: ev.op, bytes: ev.edge.bytes, byProcess: ev.process !== undefined, kernel: ev.edge.source === 'kernel' });
  const own = events.filter((ev) => ev.activation.activationId === planter.activationId).map(touch);
  if (isPlumbingFlow(own, flow.uses.map(touch))) return { plumbing: true };
  // a use whose true latest write may be one not loaded is not attributed to this planter
  const after = flow.plant.time ?? planter.start ?? -Infinity;
  const loadedWrites = new Set(events.filter((ev) => ev.kind === 'write').map((ev) => ev.time));
  const unloadedBetween = knownWrites
    ? (u: FileEvent) => knownWrites.some((t) => t > after && t < (u.time ?? Infinity) && !loadedWrites.has(t))
    : (u: FileEvent) => activations.some((a) => !g.observed.has(a.activationId) && a.start !== undefined && a.start > planter.start! && a.start < (u.time ?? Infinity));
  flow.uses = flow.uses.filter((u) => !unloadedBetween(u));
  if (flow.uses.length === 0) return { plumbing: true };
  const left = bytesLeft(own);
  const why =
    left === undefined
      ? 'the planting activation touched a pipe the runtime made for itself during start-up other than by the runtime\'s own reads and writes'
      : left > 0
        ? `the planting activation left ${left} byte(s) more than it took in a pipe the runtime made for itself during start-up`
        : 'what the runtime made for itself during start-up was used by something other than the runtime\'s own reads';
  return { plumbing: false, why };
}

/** The pid of the runtime process an activation ran in (its begin record's `run` edge), if the graphs show it. */
function runtimePidOf(g: CrossGraph, activation: ActivationNode): number | undefined {
  for (const e of g.out.get(activation.id) ?? []) {
    const pid = runtimePidOfEdge(e, (id) => g.byId.get(id));
    if (pid !== undefined) return pid;
  }
  return undefined;
}

function fileIncident(
  g: CrossGraph,
  file: FileNode,
  flow: Flow,
  model: BehaviourModel,
  config: AnalysisConfig,
  sends: SendEvent[],
  detectedAt: string,
  /** for a pipe the runtime made during its start-up: why this flow is more than the runtime's own plumbing */
  notPlumbing?: string,
): Incident {
  const planter = flow.plant.activation;
  const action = planter.action;
  const evidence: string[] = [];
  const strong: string[] = [];

  const loaded = flow.uses.filter((u) => CODE_OPS.has(u.op));
  if (loaded.length) strong.push(`a later request ${loaded[0].op === 'load' ? 'loaded it as code' : 'executed it'} (${loaded[0].op} by activation ${loaded[0].activation.activationId})`);
  const planterDeviations = deviationsOf(planter);
  if (planterDeviations) strong.push(`the planting activation deviated from the action's LMS control flow (${planterDeviations} deviation(s))`);
  const lateProcess = flow.plant.process !== undefined && planter.end !== undefined && flow.plant.time !== undefined && flow.plant.time > planter.end;
  if (lateProcess) strong.push(`written by process ${flow.plant.process} after its activation had ended (a process left running in the container)`);

  const pattern = patternOf('write', flow.plant.op, file.path);
  const support = model.support(action, pattern);
  const first = containerActivationsIn(g, file.container)[0];
  const isFirst = planter.cold === true || first?.activationId === planter.activationId;
  const fill = isFirst && !flow.touchedBefore;
  const plantNormal = support >= config.minSupport || fill;
  const observed = model.observed(action);
  if (plantNormal) {
    evidence.push(fill ? 'written by the container\'s first activation to a new file (a fill on cold start)' : `the action writes it this way in ${support} activations`);
  } else if (observed >= config.minModel) {
    strong.push(`behaviour the action does not normally show: ${support} of ${observed} observed activations of ${action} write ${abstractShown(pattern)}, and this was not the container's first activation`);
  } else {
    evidence.push(`written by a warm activation; only ${observed} activation(s) of ${action} observed, too few to call it abnormal`);
  }

  // the runtime's own use of its start-up pipe leaves nothing behind: anything else there is not its normal code path
  if (notPlumbing) evidence.push(notPlumbing);
  const victimDeviations = flow.uses.filter((u) => deviationsOf(u.activation) > 0);
  if (victimDeviations.length) evidence.push(`victim activation ${victimDeviations[0].activation.activationId} deviated from the action's LMS control flow`);
  const plainUses = loaded.length === 0;
  if (plainUses) evidence.push('every later use is a plain read');

  let verdict: Verdict;
  let reason: string;
  if (strong.length) {
    verdict = 'attack';
    reason = strong[0];
  } else if (plantNormal && plainUses && victimDeviations.length === 0 && notPlumbing === undefined) {
    verdict = 'benign-shared-state';
    reason = `shared state written and read by ${action}'s normal code path`;
  } else {
    verdict = 'suspicious';
    reason = evidence.find((e) => /warm|deviat|start-up/.test(e)) ?? 'state left by one request and used by another, not clearly normal';
  }

  const victims = uniqueActivations(flow.uses.map((u) => u.activation));
  const sink = firstSendAfter(sends, flow.uses);
  const timeline: TimelineEvent[] = [
    event(flow.plant, 'plant'),
    ...flow.uses.map((u) => event(u, 'use')),
    ...(sink ? [{ time: sink.time, request: sink.activation.requestId, activation: sink.activation.activationId, action: sink.activation.action, role: 'send' as const, op: sink.edge.op, node: sink.socket.id }] : []),
  ];
  return {
    id: incidentId('container-reuse', [file.container, file.id, planter.activationId]),
    kind: 'container-reuse',
    verdict,
    container: file.container,
    planter: partyOf(planter),
    victims: victims.map(partyOf),
    artifact: { kind: 'file', path: file.path, node: file.id },
    ...(sink ? { sink: sinkOf(sink.socket) } : {}),
    path: [planter.id, file.id, ...victims.map((v) => v.id), ...(sink ? [sink.socket.id] : [])],
    timeline,
    requests: [...new Set([planter.requestId, ...victims.map((v) => v.requestId)])].sort(),
    reason,
    evidence: [...strong, ...evidence],
    detectedAt,
  };
}

function processIncident(
  g: CrossGraph,
  proc: ProcessNode,
  model: BehaviourModel,
  config: AnalysisConfig,
  sends: SendEvent[],
  detectedAt: string,
): Incident | undefined {
  const starterId = starterOf(g, proc);
  if (starterId === undefined) return undefined;
  const planter = actingActivation(g, starterId);
  if (!planter || planter.end === undefined) return undefined;
  const spawn = (g.out.get(proc.id) ?? []).find((e) => e.kind === 'wasStartedBy');
  // Direct contact after the planter ended, by an activation of another request.
  const touches: Array<{ activation: ActivationNode; time?: number; op?: string }> = [];
  for (const e of edgesAt(g, proc.id)) {
    if (e === spawn || e.time === undefined || e.time <= planter.end) continue;
    const otherEnd = e.from === proc.id ? e.to : e.from;
    const other = g.byId.get(otherEnd);
    const activation = other?.kind === 'activation' ? other : undefined;
    if (activation && activation.requestId !== planter.requestId) touches.push({ activation, time: e.time, op: e.op });
  }
  if (touches.length === 0) return undefined;

  const program = proc.exe ?? `pid ${proc.pid}`;
  const spawners = new Set<string>();
  for (const n of g.byId.values()) {
    if (n.kind !== 'process' || (n.exe ?? '') !== (proc.exe ?? '')) continue;
    const a = actingActivation(g, starterOf(g, n) ?? '');
    if (a && a.action === planter.action) spawners.add(a.activationId);
  }
  const strong: string[] = [];
  if (deviationsOf(planter)) strong.push("the starting activation deviated from the action's LMS control flow");
  if (spawners.size < config.minSupport && model.observed(planter.action) >= config.minModel) {
    strong.push(`${program} is started by ${spawners.size} of ${model.observed(planter.action)} observed activations of ${planter.action}, and outlived its activation`);
  }
  const victims = uniqueActivations(touches.map((t) => t.activation));
  const sink = firstSendAfter(sends, touches.map((t) => ({ activation: t.activation, time: t.time })));
  return {
    id: incidentId('container-reuse', [proc.container, proc.id, planter.activationId]),
    kind: 'container-reuse',
    verdict: strong.length ? 'attack' : 'suspicious',
    container: proc.container,
    planter: partyOf(planter),
    victims: victims.map(partyOf),
    artifact: { kind: 'process', path: proc.exe, ...(proc.pid >= 0 ? { pid: proc.pid } : {}), node: proc.id },
    ...(sink ? { sink: sinkOf(sink.socket) } : {}),
    path: [planter.id, proc.id, ...victims.map((v) => v.id), ...(sink ? [sink.socket.id] : [])],
    timeline: [
      { time: spawn?.time, request: planter.requestId, activation: planter.activationId, action: planter.action, role: 'plant', op: spawn?.op, node: proc.id },
      ...touches.map((t) => ({ time: t.time, request: t.activation.requestId, activation: t.activation.activationId, action: t.activation.action, role: 'use' as const, op: t.op, node: proc.id })),
    ],
    requests: [...new Set([planter.requestId, ...victims.map((v) => v.requestId)])].sort(),
    reason: strong[0] ?? `a process started by one request outlived it and touched another request`,
    evidence: [...strong, `process ${program} outlived activation ${planter.activationId}`],
    detectedAt,
  };
}

function event(ev: FileEvent, role: TimelineEvent['role']): TimelineEvent {
  return { time: ev.time, request: ev.activation.requestId, activation: ev.activation.activationId, action: ev.activation.action, role, op: ev.op, node: ev.file.id };
}

function uniqueActivations(list: ActivationNode[]): ActivationNode[] {
  const seen = new Map<string, ActivationNode>();
  for (const a of list) if (!seen.has(a.activationId)) seen.set(a.activationId, a);
  return [...seen.values()];
}

/** The first outside send by a victim after it used the artifact: where the planted state led. */
function firstSendAfter(sends: SendEvent[], uses: Array<{ activation: ActivationNode; time?: number }>): SendEvent | undefined {
  return sends.find((s) => uses.some((u) => u.activation.activationId === s.activation.activationId && (u.time === undefined || s.time === undefined || s.time >= u.time)));
}

const abstractShown = (pattern: string): string => pattern.split(':').slice(2).join(':');
