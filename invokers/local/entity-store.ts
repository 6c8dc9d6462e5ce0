// Actions and packages persisted as one JSON file each under <storeDir>/platform/, so a restarted
// platform keeps what was deployed. Writes go through a temporary file and a rename.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NamedDoc {
  namespace: string;
  name: string;
}

function keyOf(doc: NamedDoc): string {
  return `${doc.namespace}/${doc.name}`;
}

/** `ns` itself or a package of it (`ns/pkg`): a document's namespace field names either. */
function inNamespace(doc: NamedDoc, namespace: string): boolean {
  return doc.namespace === namespace || doc.namespace.startsWith(`${namespace}/`);
}

export class EntityStore<T extends NamedDoc> {
  private constructor(
    private readonly dir: string,
    private readonly docs = new Map<string, T>(),
    /** a tenant's view lists only its own namespace's documents */
    private readonly only?: string,
  ) {}

  static open<T extends NamedDoc>(dir: string, what: string): EntityStore<T> {
    const store = new EntityStore<T>(dir);
    fs.mkdirSync(dir, { recursive: true });
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      const full = path.join(dir, file);
      let doc: T;
      try {
        doc = JSON.parse(fs.readFileSync(full, 'utf8')) as T;
      } catch (err) {
        throw new Error(`the stored ${what} ${full} is not valid JSON (${(err as Error).message}): fix or delete that file`);
      }
      store.docs.set(keyOf(doc), doc);
    }
    return store;
  }

  get(namespace: string, name: string): T | undefined {
    return this.docs.get(`${namespace}/${name}`);
  }

  list(): T[] {
    const all = [...this.docs.values()];
    return this.only === undefined ? all : all.filter((d) => inNamespace(d, this.only!));
  }

  /**
   * The same documents, listed only for one namespace: each tenant of the platform lists its own
   * actions, triggers and rules, while a lookup by full name still reaches any namespace (the
   * API decides who may address what).
   */
  scoped(namespace: string): EntityStore<T> {
    return new EntityStore<T>(this.dir, this.docs, namespace);
  }

  put(doc: T): void {
    const file = this.fileOf(doc);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(doc));
    fs.renameSync(tmp, file);
    this.docs.set(keyOf(doc), doc);
  }

  delete(doc: NamedDoc): void {
    fs.rmSync(this.fileOf(doc), { force: true });
    this.docs.delete(keyOf(doc));
  }

  private fileOf(doc: NamedDoc): string {
    return path.join(this.dir, `${encodeURIComponent(keyOf(doc))}.json`);
  }
}
