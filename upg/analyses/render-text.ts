// Incidents and cross-request traces as terminal text. Pure.
import type { UpgNode } from '../types';
import type { TraceAcrossResult } from './trace-across';
import type { Incident, IncidentArtifact, IncidentParty } from './types';

const VERDICT_MARK: Record<Incident['verdict'], string> = { attack: 'ATTACK', suspicious: 'suspicious', 'benign-shared-state': 'benign (shared state)' };

export function renderIncidentsText(incidents: readonly Incident[]): string {
  if (incidents.length === 0) return 'no incidents\n';
  const counts = (v: Incident['verdict']) => incidents.filter((i) => i.verdict === v).length;
  const lines = [`${incidents.length} incident(s): ${counts('attack')} attack, ${counts('suspicious')} suspicious, ${counts('benign-shared-state')} benign shared state`, ''];
  for (const i of incidents) {
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
    lines.push('');
  }
  return lines.join('\n');
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
