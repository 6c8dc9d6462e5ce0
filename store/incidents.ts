// Incidents in the provenance table: one item per incident, keyed by its deterministic id,
// so detecting it again updates the same item and keeps the first detection time and whether its
// alert was delivered. Listed newest first through the byTime index (partition INCIDENTS), never scanned.
//
//   item       pk              sk         GSI byTime
//   incident   INC#<id>        INCIDENT   tpk=INCIDENTS, tsk=<detectedAt ms, 15 digits>#<id>
import { Entity, GetItemCommand, PutItemCommand, QueryCommand, isConditionCheckFailed, item, number, set, string } from 'dynamodb-toolbox';
import type { Incident } from '../upg/analyses/types';
import { mergeIncident } from '../upg/analyses/merge-incident';
import { INDEX, timeSortKey, timeSortPart } from './keys';
import type { ProvenanceModel } from './table';
import type { IncidentQuery, IncidentStore, PutIncidentResult, StoredIncident } from './types';

export type { IncidentQuery, IncidentStore, PutIncidentResult, StoredIncident } from './types';

type Table = ProvenanceModel['table'];

export const INCIDENTS_PARTITION = 'INCIDENTS';
export const incidentKey = (id: string) => ({ pk: `INC#${id}`, sk: 'INCIDENT' });

/** Longest incident document kept (DynamoDB items stop at 400 KB): long lists are cut, and say so. */
const MAX_DOC_BYTES = 300_000;

export function defineIncidentEntity(table: Table) {
  return new Entity({
    name: 'incident',
    table,
    timestamps: false,
    schema: item({
      pk: string().key(),
      sk: string().key(),
      id: string(),
      kind: string(),
      verdict: string(),
      detected: number(),
      requests: set(string()),
      doc: string(),
      alertedAt: number().optional(),
      tpk: string(),
      tsk: string(),
    }),
  });
}

type IncidentEntity = ReturnType<typeof defineIncidentEntity>;

/** Pure: the stored form (bounded) of an incident. */
export function incidentItem(incident: Incident, alertedAt?: number) {
  const detected = Date.parse(incident.detectedAt);
  if (Number.isNaN(detected)) throw new Error(`incident ${incident.id}: detectedAt ${JSON.stringify(incident.detectedAt)} is not an ISO time`);
  return {
    ...incidentKey(incident.id),
    id: incident.id,
    kind: incident.kind,
    verdict: incident.verdict,
    detected,
    requests: new Set(incident.requests.length ? incident.requests : [incident.planter.request]),
    doc: boundedDoc(incident),
    ...(alertedAt !== undefined ? { alertedAt } : {}),
    tpk: INCIDENTS_PARTITION,
    tsk: timeSortKey(detected, incident.id),
  };
}

export function boundedDoc(incident: Incident): string {
  let doc = JSON.stringify(incident);
  if (Buffer.byteLength(doc) <= MAX_DOC_BYTES) return doc;
  const cut: Incident & { truncated?: string[] } = { ...incident, timeline: incident.timeline.slice(0, 200), victims: incident.victims.slice(0, 500), path: incident.path.slice(0, 200), truncated: ['timeline', 'victims', 'path'] };
  doc = JSON.stringify(cut);
  if (Buffer.byteLength(doc) <= MAX_DOC_BYTES) return doc;
  return JSON.stringify({ ...cut, timeline: cut.timeline.slice(0, 20), victims: cut.victims.slice(0, 50), path: cut.path.slice(0, 50), evidence: cut.evidence.slice(0, 20) });
}

export class DynamoIncidentStore implements IncidentStore {
  private readonly entity: IncidentEntity;
  constructor(private readonly table: Table) {
    this.entity = defineIncidentEntity(table);
  }

  async putIncident(incident: Incident): Promise<PutIncidentResult> {
    try {
      await this.entity.build(PutItemCommand).item(incidentItem(incident)).options({ condition: { attr: 'pk', exists: false } }).send();
      return { created: true, alerted: false, incident };
    } catch (err) {
      if (!isConditionCheckFailed(err)) throw err;
    }
    const { Item } = await this.entity.build(GetItemCommand).key(incidentKey(incident.id)).options({ consistent: true }).send();
    const stored: Incident = Item ? mergeIncident(JSON.parse(Item.doc) as Incident, incident) : incident;
    await this.entity.build(PutItemCommand).item(incidentItem(stored, Item?.alertedAt)).send();
    return { created: false, alerted: Item?.alertedAt !== undefined, incident: stored };
  }

  async getIncident(id: string): Promise<StoredIncident | undefined> {
    const { Item } = await this.entity.build(GetItemCommand).key(incidentKey(id)).options({ consistent: true }).send();
    return Item ? { incident: JSON.parse(Item.doc) as Incident, alerted: Item.alertedAt !== undefined } : undefined;
  }

  async markIncidentAlerted(id: string, at: number): Promise<void> {
    const { Item } = await this.entity.build(GetItemCommand).key(incidentKey(id)).options({ consistent: true }).send();
    if (!Item) throw new Error(`no incident ${id} to mark as alerted`);
    await this.entity.build(PutItemCommand).item({ ...Item, alertedAt: at }).send();
  }

  async listIncidents(query: IncidentQuery = {}): Promise<Incident[]> {
    const range = query.since !== undefined ? { gte: timeSortPart(query.since) } : undefined;
    const { Items } = await this.table
      .build(QueryCommand)
      .entities(this.entity)
      .query({ index: INDEX.byTime.name, partition: INCIDENTS_PARTITION, ...(range ? { range } : {}) })
      .options({ reverse: true, maxPages: Infinity })
      .send();
    const out: Incident[] = [];
    for (const item of Items ?? []) {
      if (query.request !== undefined && !item.requests.has(query.request)) continue;
      out.push(JSON.parse(item.doc) as Incident);
      if (query.limit !== undefined && out.length >= query.limit) break;
    }
    return out;
  }
}
