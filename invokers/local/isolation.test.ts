import { describe, expect, it } from 'vitest';
import { buildLaunchCommand, describeIsolation, findCgroup2Root, outermost, shQuote, type LaunchSpec } from './isolation';

describe('findCgroup2Root', () => {
  it.each([
    ['cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n', '/sys/fs/cgroup/unified'],
    ['cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n', '/sys/fs/cgroup'],
    ['tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw 0 0\n', undefined],
  ])('%#', (mounts, root) => {
    expect(findCgroup2Root(mounts)).toBe(root);
  });
});

describe('buildLaunchCommand', () => {
  const base: LaunchSpec = {
    containerId: 'sp-1',
    containerDir: '/tmp/store/platform/containers/sp-1',
    stageDir: '/tmp/store/platform/containers/sp-1/.tmp-stage',
    cgroupDir: '/sys/fs/cgroup/unified/serverless-provenance/sp-1',
    privateTmp: true,
    pidNamespace: true,
    keepVisible: ['/work/main', '/tmp/store/platform/containers/sp-1'],
    tmpSizeMb: 64,
    node: '/usr/bin/node',
    runtime: '/work/main/dist/invokers/local/runtime/server.js',
  };

  it('joins the cgroup before anything else, then namespaces, then node', () => {
    const { file, args } = buildLaunchCommand(base);
    expect(file).toBe('sh');
    const script = args[1];
    const order = ['cgroup.procs', 'exec unshare --mount --propagation private --uts --pid --fork --kill-child --mount-proc', 'hostname', 'mount -t tmpfs', 'mount --bind', 'mount --move', '/usr/bin/node'];
    const positions = order.map((s) => script.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // only paths under /tmp are re-bound into the private /tmp
    expect(script).not.toMatch(/mount --bind \S*\/work\/main/);
    expect(script).toContain('containers/sp-1/.tmp-stage/store/platform/containers/sp-1');
  });

  it('without isolation it just runs node', () => {
    const { args } = buildLaunchCommand({ ...base, cgroupDir: undefined, privateTmp: false, pidNamespace: false });
    expect(args[1]).toBe("exec '/usr/bin/node' '/work/main/dist/invokers/local/runtime/server.js'");
  });

  it('with a parent-death signal the launcher runs under setpriv, the script unchanged', () => {
    const plain = buildLaunchCommand(base);
    const { file, args } = buildLaunchCommand({ ...base, parentDeathSignal: true });
    expect(file).toBe('setpriv');
    expect(args).toEqual(['--pdeathsig', 'KILL', '--', 'sh', ...plain.args]);
  });

  it('outermost drops paths already inside another', () => {
    expect(outermost(['/tmp/a/b', '/tmp/a', '/tmp/ab', '/tmp/a'])).toEqual(['/tmp/a', '/tmp/ab']);
  });

  it('shQuote survives quotes', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('describes what is missing in one line', () => {
    const line = describeIsolation({ cgroups: false, privateTmp: false, pidNamespace: false, unavailable: ['cgroups: no cgroup v2 hierarchy is mounted'] });
    expect(line).toMatch(/^container isolation: none .*UNAVAILABLE: cgroups: no cgroup v2/);
    expect(line).not.toContain('\n');
  });
});
