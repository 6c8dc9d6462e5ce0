// Which Docker containers this platform created, one file each under <platform dir>/docker/: what a
// later platform on the same store (or the watchdog, when this one dies) removes. The engine's
// own view is no help: like OpenWhisk's, the containers carry no labels, and a name prefix is
// shared by every platform with the same invoker name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';

export interface DockerRecord {
  id: string;
  name: string;
}

export function recordContainer(dir: string, record: DockerRecord): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${record.id}.json`), `${JSON.stringify(record)}\n`);
}

export function forgetContainer(dir: string, id: string): void {
  fs.rmSync(path.join(dir, `${id}.json`), { force: true });
}

export function recordedContainers(dir: string): DockerRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: DockerRecord[] = [];
  for (const n of names) {
    if (!n.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as DockerRecord);
    } catch {
      // torn while its platform died: the id is the file name
      out.push({ id: n.slice(0, -'.json'.length), name: '' });
    }
  }
  return out;
}

/** Force-removes (kills) every recorded container and forgets it; returns how many there were. */
export async function removeRecordedContainers(docker: Docker, dir: string): Promise<number> {
  const records = recordedContainers(dir);
  await Promise.all(
    records.map(async (r) => {
      try {
        await docker.getContainer(r.id).remove({ force: true });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
      forgetContainer(dir, r.id);
    }),
  );
  return records.length;
}
