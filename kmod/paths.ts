// Where kernel capture's built artifacts live, found from the package root so that the same
// code works from the .ts sources (vitest) and from dist/.
import * as path from 'node:path';
import { packageRoot } from '../package/root';

export const kmodPaths = (root = packageRoot()) => ({
  addon: path.join(root, 'kmod', 'build', 'Release', 'sp_capture.node'),
  out: path.join(root, 'kmod', 'out'),
  probeObject: path.join(root, 'kmod', 'out', 'sp_probe.bpf.o'),
  module: path.join(root, 'kmod', 'out', 'lkm', 'sp_lkm.ko'),
  buildScript: path.join(root, 'scripts', 'kmod-build.sh'),
  qemuScript: path.join(root, 'scripts', 'kmod-qemu.sh'),
});
