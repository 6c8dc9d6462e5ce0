// Incidents and cross-request traces as terminal text. Pure.
import type { UpgNode } from '../types';
import type { TraceAcrossResult } from './trace-across';
import type { Incident, IncidentArtifact, IncidentParty } from './types';

const VERDICT_MARK: Record<Incident['verdict'], string> = { attack: 'ATTACK', suspicious: 'suspicious', 'benign-shared-state': 'benign (shared state)' };

export interface IncidentsTextOptions {
  /** print every incident in full; by default benign shared state is one line per artifact */
  all?: boolean;
}

/**
 * Attacks and suspicious incidents in full; benign shared state (a cache every request fills and
 * reads) collapsed to one line per artifact, since a busy cache yields one incident per refresh and
 * would bury the attacks. `all` prints every incident in full.
 */
export function renderIncidentsText(incidents: readonly Incident[], options: IncidentsTextOptions = {}): string {
  if (incidents.length === 0) return 'no incidents\n';
  const counts = (v: Incident['verdict']) => incidents.filter((i) => i.verdict === v).length;
  const lines = [`${incidents.length} incident(s): ${counts('attack')} attack, ${counts('suspicious')} suspicious, ${counts('benign-shared-state')} benign shared state`, ''];
  const full = options.all ? incidents : incidents.filter((i) => i.verdict !== 'benign-shared-state');
  for (const i of full) lines.push(...incidentLines(i), '');
  if (!options.all) {
    const summaries = benignSummaries(incidents);
    for (const s of summaries) lines.push(benignLine(s));
    if (summaries.length) lines.push('(benign shared state collapsed: pass --all to print each incident in full)', '');
  }
  return lines.join('\n');
}

function incidentLines(i: Incident): string[] {
  const lines: string[] = [];
  lines.push(`${VERDICT_MARK[i.verdict]}  ${i.kind}  ${i.id}  (detected ${i.detectedAt})`);
  lines.push(`  why:       ${i.reason}`);
  lines.push(`  container: ${i.container}`);
  lines.push(`  ${i.kind === 'exfiltration' ? 'source:   ' : 'artifact: '} ${artifactText(i.artifact)}`);
  lines.push(`  ${i.kind === 'exfiltration' ? 'read by:  ' : 'planter:  '} ${partyText(i.planter)}`);
  const label = i.kind === 'exfiltration' ? 'sent by:  ' : 'victims:  ';
  i.victims.forEach((v, k) => lines.push(`  ${k === 0 ? label : '          '} ${partyText(v)}`));
  if (i.sink) lines.push(`  sink:      ${i.sink.address}:${i.sink.port}${i.sink.url ? ` (${i.sink.url})` : ''}`);
  lines.push(`  path:      ${i.path.join(' -> ')}`);
  if (i.timeline.length) {
    lines.push('  timeline:');
    for (const t of i.timeline) lines.push(`    ${timeText(t.time)}  ${t.role.padEnd(5)} ${(t.op ?? '').padEnd(12)} ${t.activation} (${t.request})  ${t.node}`);
  }
  if (i.evidence.length > 1) {
    lines.push('  evidence:');
    for (const e of i.evidence) lines.push(`    - ${e}`);
  }
  return lines;
}

/** The benign incidents of one artifact in one container, summed up. */
export interface BenignSummary {
  container: string;
  artifact: Incident['artifact'];
  /** planter -> victim pairs over all incidents of the artifact */
  handoffs: number;
  /** distinct requests involved */
  requests: number;
  /** actions of the planters and victims, sorted */
  actions: string[];
}

/** Groups benign shared state by (container, artifact node), in the order the artifacts first appear. */
export function benignSummaries(incidents: readonly Incident[]): BenignSummary[] {
  const groups = new Map<string, Incident[]>();
  for (const i of incidents) {
    if (i.verdict !== 'benign-shared-state') continue;
    const key = `${i.container}\u0000${i.artifact.node}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups.values()].map((group) => {
    const parties = group.flatMap((i) => [i.planter, ...i.victims]);
    return {
      container: group[0].container,
      artifact: group[0].artifact,
      handoffs: group.reduce((sum, i) => sum + i.victims.length, 0),
      requests: new Set(group.flatMap((i) => i.requests)).size,
      actions: [...new Set(parties.flatMap((p) => (p.action ? [p.action] : [])))].sort(),
    };
  });
}

function benignLine(s: BenignSummary): string {
  const what = s.artifact.kind === 'file' ? (s.artifact.path ?? s.artifact.node) : artifactText(s.artifact);
  const verb = s.artifact.kind === 'process' ? 'start→use' : 'write→read';
  const actions = s.actions.length ? `, action${s.actions.length > 1 ? 's' : ''} ${s.actions.join(', ')}` : '';
  return `benign shared state: ${what} in container ${s.container} — ${s.handoffs} ${verb} handoff${s.handoffs === 1 ? '' : 's'} across ${s.requests} request${s.requests === 1 ? '' : 's'}${actions}`;
}

export function partyText(p: IncidentParty): string {
  return `request ${p.request}, activation ${p.activation}${p.action ? ` (${p.action})` : ''}`;
}

export function artifactText(a: IncidentArtifact): string {
  switch (a.kind) {
    case 'file':
      return `file ${a.path}`;
    case 'process':
      return `process ${a.path ?? ''}${a.pid !== undefined ? ` (pid ${a.pid})` : ''}`;
    case 'item':
      return `DynamoDB item ${a.table} ${JSON.stringify(a.key)}`;
    case 'table':
      return `DynamoDB table ${a.table}`;
  }
}

function timeText(ms: number | undefined): string {
  return ms === undefined ? '(time unknown)          ' : new Date(ms).toISOString();
}

export function renderTraceText(result: TraceAcrossResult): string {
  const byId = new Map<string, UpgNode>(result.nodes.map((n) => [n.id, n]));
  const lines = [`trace ${result.direction} from ${result.start.join(', ')} across ${result.requests.length} request(s): ${result.requests.join(', ')}`];
  for (const dir of ['back', 'forward'] as const) {
    const steps = result.steps.filter((s) => s.direction === dir && s.depth > 0 && byId.has(s.node));
    if (result.direction !== 'both' && result.direction !== dir) continue;
    lines.push('', dir === 'back' ? 'causes (backward):' : 'effects (forward):');
    if (steps.length === 0) lines.push('  (none)');
    const edges = new Map(result.edges.map((e) => [e.id, e]));
    for (const s of steps) {
      const e = s.via ? edges.get(s.via) : undefined;
      const n = byId.get(s.node)!;
      const how = e ? `${e.kind}${e.op ? ` ${e.op}` : ''}${e.time !== undefined ? ` at ${new Date(e.time).toISOString()}` : ''}` : '';
      lines.push(`  ${'  '.repeat(s.depth - 1)}${dir === 'back' ? '<-' : '->'} ${n.kind} ${n.label ?? n.id}  [${how}${s.request ? `, request ${s.request}` : ''}]`);
    }
  }
  if (result.truncated) lines.push('', 'stopped at the request limit: pass --max-requests N to follow further');
  return `${lines.join('\n')}\n`;
}
