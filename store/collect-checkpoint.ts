// Where `provenance collect` (pull mode, invokers/collect/) left off, one item per OpenWhisk API host
// and namespace, so the next run lists only what is new. The state is the collector's own
// (invokers/collect/checkpoint.ts), kept as JSON.
//
//   item         pk        sk
//   checkpoint   COLLECT   CP#<apihost>#<namespace>
import { Entity, GetItemCommand, PutItemCommand, item, string } from 'dynamodb-toolbox';
import type { ProvenanceModel } from './table';
import type { CollectCheckpointStore } from './types';

export type { CollectCheckpointStore } from './types';

type Table = ProvenanceModel['table'];

export const COLLECT_PARTITION = 'COLLECT';
export const collectCheckpointKey = (key: string) => ({ pk: COLLECT_PARTITION, sk: `CP#${key}` });

function defineCheckpointEntity(table: Table) {
  return new Entity({
    name: 'collectCheckpoint',
    table,
    timestamps: false,
    schema: item({ pk: string().key(), sk: string().key(), state: string() }),
  });
}

export class DynamoCollectCheckpointStore implements CollectCheckpointStore {
  private readonly entity: ReturnType<typeof defineCheckpointEntity>;
  constructor(table: Table) {
    this.entity = defineCheckpointEntity(table);
  }

  async getCollectCheckpoint<T>(key: string): Promise<T | undefined> {
    const { Item } = await this.entity.build(GetItemCommand).key(collectCheckpointKey(key)).options({ consistent: true }).send();
    return Item ? (JSON.parse(Item.state) as T) : undefined;
  }

  async putCollectCheckpoint<T>(key: string, state: T): Promise<void> {
    await this.entity.build(PutItemCommand).item({ ...collectCheckpointKey(key), state: JSON.stringify(state) }).send();
  }
}
