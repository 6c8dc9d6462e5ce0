// Key building for the single-table design (pure). Every item key is a deterministic function of what
// the item stands for, so writing the same fact twice lands on the same item (idempotent writes).
//
//   item                 pk                    sk                          GSI keys
//   graph chunk          REQ#<request>         G#<hash>#<part>             -
//   touch group          REQ#<request>         X#<group>#<hash>#<part>     byEntity: hpk=<entity group>, hsk=<time>#<request>#<hash>#<part>
//   request summary      REQ#<request>         SUMMARY                     byTime: tpk=DAY#<yyyy-mm-dd>, tsk=<time>#<request>
//   activation           ACT#<activationId>    A                           byContainer: cpk=<container node id>, csk=<start>; byEntity: hpk=<entity>, hsk=<time>
//   pointer              ACT#<activationId>    X#<digest of entity>        byEntity: hpk=<entity>, hsk=<time>
//   spilled touches      ACT#<activationId>    T#<hash>#<part>             byContainer
//   time bucket marker   BUCKETS               DAY#<yyyy-mm-dd>            -
// (<hash>: the content hash of the fragment an item came from; chunks.ts and activation-item.ts say what each item holds.)
//
// Reading one request's graph is one query `begins_with(sk, "G#")` in its partition.
import { createHash } from 'node:crypto';

export const INDEX = {
  byContainer: { name: 'byContainer', partitionKey: 'cpk', sortKey: 'csk' },
  byEntity: { name: 'byEntity', partitionKey: 'hpk', sortKey: 'hsk' },
  byTime: { name: 'byTime', partitionKey: 'tpk', sortKey: 'tsk' },
} as const;

export const SUMMARY_SK = 'SUMMARY';
export const BUCKETS_PK = 'BUCKETS';
/** bucket of requests whose start time is not known (yet) */
export const UNKNOWN_DAY = 'DAY#unknown';
/** sort keys of the request partition below this bound are graph items (not touch items) */
export const GRAPH_SK_UPPER_BOUND = 'X';

export interface ItemKey {
  pk: string;
  sk: string;
}

export const requestPk = (request: string): string => `REQ#${request}`;
export const nodeKey = (request: string, nodeId: string): ItemKey => ({ pk: requestPk(request), sk: `N#${nodeId}` });
export const edgeKey = (request: string, edgeId: string): ItemKey => ({ pk: requestPk(request), sk: `E#${edgeId}` });
export const summaryKey = (request: string): ItemKey => ({ pk: requestPk(request), sk: SUMMARY_SK });
export const touchKey = (request: string, entityId: string, edgeId: string): ItemKey => ({
  pk: requestPk(request),
  sk: `X#${entityId}#${edgeId}`,
});
export const metaKey = (activationId: string): ItemKey => ({ pk: `META#${activationId}`, sk: 'META' });
export const bucketMarkerKey = (bucket: string): ItemKey => ({ pk: BUCKETS_PK, sk: bucket });

export function warningKey(request: string, w: { code: string; message: string; activationId?: string }): ItemKey {
  const hash = createHash('sha256')
    .update(JSON.stringify([w.code, w.message, w.activationId ?? null]))
    .digest('hex')
    .slice(0, 24);
  return { pk: requestPk(request), sk: `W#${hash}` };
}

// Times are ms since the epoch; zero-padded to 15 digits they sort as strings in time order
// (good until the year 33658). Unknown times sort after every known time.
const TIME_WIDTH = 15;
export const UNKNOWN_TIME = '~';

export function timeSortPart(time: number | undefined): string {
  if (time === undefined || !Number.isFinite(time) || time < 0) return UNKNOWN_TIME;
  return Math.floor(time).toString().padStart(TIME_WIDTH, '0');
}

/** sort key that orders by time, then by id (ties and unknown times stay deterministic) */
export const timeSortKey = (time: number | undefined, id: string): string => `${timeSortPart(time)}#${id}`;

/** the day bucket (UTC) of a request start time */
export function dayBucket(time: number | undefined): string {
  if (time === undefined || !Number.isFinite(time) || time < 0) return UNKNOWN_DAY;
  return `DAY#${new Date(time).toISOString().slice(0, 10)}`;
}
