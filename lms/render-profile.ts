// Human views of a profile for `provenance analyze`: text (templates, then the LMS-CFG) and DOT.
import { ENTRY, EXIT, type LmsProfile } from './types';

export function formatProfileText(p: LmsProfile): string {
  const lines: string[] = [];
  lines.push(`${p.entry} (handler ${p.handler}): ${p.stats.files} files, ${p.stats.logCalls} logging calls, ${p.stats.templates} templates, ${p.stats.sites} sites, ${p.stats.edges} edges, ${p.stats.ms} ms`);
  lines.push('templates:');
  for (const t of p.templates) lines.push(`  ${t.id}  ${t.sink.kind}.${t.sink.method}${t.sink.stream ? ` (${t.sink.stream})` : ''}  ${JSON.stringify(t.text)}`);
  if (p.units.length) {
    lines.push('unit loops:');
    for (const u of p.units) lines.push(`  ${u.id}  ${u.file}:${u.line} ${u.fn} ${u.form}${u.concurrent ? ' (concurrent)' : ''}: ${u.io.join('; ')}`);
  }
  lines.push('LMS-CFG:');
  const label = (id: string): string => {
    if (id === ENTRY || id === EXIT) return id;
    const s = p.cfg.sites.find((x) => x.id === id);
    if (!s) return id;
    if (s.kind === 'unknown') return `${id}[unknown: ${s.why ?? '?'}]`;
    return s.kind === 'log' ? `${id}[${s.template}${s.deferred ? ' deferred' : ''}]` : `${id}[${s.kind} ${s.loop}]`;
  };
  for (const [from, tos] of Object.entries(p.cfg.edges)) lines.push(`  ${label(from)} -> ${tos.map(label).join(', ')}`);
  for (const n of p.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}

export function formatProfileDot(p: LmsProfile): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = ['digraph lms {', '  rankdir=TB;', `  ${q(ENTRY)} [shape=circle]; ${q(EXIT)} [shape=doublecircle];`];
  const text = new Map(p.templates.map((t) => [t.id, t.text]));
  const used = new Set<string>([...Object.keys(p.cfg.edges), ...Object.values(p.cfg.edges).flat()]);
  for (const s of p.cfg.sites) {
    if (!used.has(s.id)) continue;
    const label = s.kind === 'log' ? `${text.get(s.template!) ?? s.template}${s.deferred ? ' (deferred)' : ''}\n${s.file}:${s.line}` : s.kind === 'unknown' ? `unknown: ${s.why ?? '?'}\n${s.file}:${s.line}` : `${s.kind} ${s.loop}`;
    const shape = s.kind === 'log' ? 'box' : s.kind === 'unknown' ? 'octagon' : 'diamond';
    lines.push(`  ${q(s.id)} [shape=${shape}${s.deferred ? ', style=dashed' : ''}, label=${q(label)}];`);
  }
  for (const [from, tos] of Object.entries(p.cfg.edges)) for (const to of tos) lines.push(`  ${q(from)} -> ${q(to)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
