import { describe, expect, it } from 'vitest';
import { cgroup2MountOf, levelOf, parentOf, v2PathOf } from './cgroup-path';

describe('cgroup paths', () => {
  it.each([
    ['unified', '0::/docker/abc\n', '/docker/abc'],
    ['hybrid', '9:name=systemd:/\n4:memory:/docker/abc\n0::/docker/abc\n', '/docker/abc'],
    ['root', '0::/\n', '/'],
    ['kubepods', '0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-1.scope\n', '/kubepods.slice/kubepods-burstable.slice/cri-containerd-1.scope'],
    ['deleted', '0::/docker/abc (deleted)\n', '/docker/abc'],
    ['v1 only', '4:memory:/docker/abc\n', undefined],
  ])('reads the v2 path (%s)', (_, text, want) => expect(v2PathOf(text)).toBe(want));

  it.each([
    ['/', 0, undefined],
    ['/docker', 1, '/'],
    ['/docker/abc', 2, '/docker'],
  ])('level and parent of %s', (p, level, parent) => {
    expect(levelOf(p)).toBe(level);
    expect(parentOf(p)).toBe(parent);
  });

  it.each([
    ['unified', '30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw\n', '/sys/fs/cgroup'],
    ['hybrid', '25 24 0:22 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n26 24 0:23 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n', '/sys/fs/cgroup/unified'],
    ['a bind of a sub-cgroup is not the root', '26 24 0:23 /docker /mnt/cg rw - cgroup2 cgroup2 rw\n', undefined],
    ['none', '25 24 0:22 / /proc rw - proc proc rw\n', undefined],
  ])('finds the cgroup2 mount (%s)', (_, text, want) => expect(cgroup2MountOf(text)).toBe(want));
});
