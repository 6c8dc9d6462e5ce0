// Docker containers belong to the engine, not to the platform that created them, so they would
// outlive a platform that is SIGKILLed. This small process, started by the platform in a process
// group of its own, waits for its stdin to close (which happens however the platform ends) and
// then removes every container the platform recorded.
//   node docker-watchdog.js <docker host> <records dir>
import Docker from 'dockerode';
import { dockerConnection } from './docker-engine';
import { removeRecordedContainers } from './docker-records';

const [host, dir] = process.argv.slice(2);
if (!host || !dir) {
  process.stderr.write('usage: docker-watchdog <docker host> <records dir>\n');
  process.exit(2);
}
process.stdin.resume();
process.stdin.on('error', () => undefined);
let reaping = false;
const reap = () => {
  if (reaping) return;
  reaping = true;
  removeRecordedContainers(new Docker(dockerConnection(host)), dir).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`docker-watchdog: could not remove the containers recorded in ${dir}: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
};
process.stdin.on('end', reap);
process.stdin.on('close', reap);
