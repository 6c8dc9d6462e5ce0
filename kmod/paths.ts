// Where kernel capture's built artifacts live, found from the package root so that the same
// code works from the .ts sources (vitest) and from dist/.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'serverless-provenance') return dir;
      } catch {
        // not ours: keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the serverless-provenance package root above ${from}`);
    dir = up;
  }
}

export const kmodPaths = (root = packageRoot()) => ({
  addon: path.join(root, 'kmod', 'build', 'Release', 'sp_capture.node'),
  out: path.join(root, 'kmod', 'out'),
  probeObject: path.join(root, 'kmod', 'out', 'sp_probe.bpf.o'),
  module: path.join(root, 'kmod', 'out', 'lkm', 'sp_lkm.ko'),
  buildScript: path.join(root, 'scripts', 'kmod-build.sh'),
  qemuScript: path.join(root, 'scripts', 'kmod-qemu.sh'),
});
