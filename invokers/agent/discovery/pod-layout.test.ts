import { describe, expect, it } from 'vitest';
import { containerLogPath, isPodCgroupOf, parsePodLogDir, podCgroupName, restartOfLogFile } from '../../../protocol/pod-logs';
import { isActionPod, parsePodList, podContainerKey } from './pod-layout';

const UID = '6f1c2a3b-1d2e-4f50-8a9b-0c1d2e3f4a5b';

describe('pod layout on a node', () => {
  it.each([
    [`openwhisk_wskowdev-invoker-00-12-guest-hello_${UID}`, { namespace: 'openwhisk', pod: 'wskowdev-invoker-00-12-guest-hello', uid: UID }],
    [`kube-system_coredns-5d78c9869d-abcde_${UID}`, { namespace: 'kube-system', pod: 'coredns-5d78c9869d-abcde', uid: UID }],
    ['no-underscores', undefined],
    [`a__${UID}`, undefined],
    [`a_b_c_${UID}`, undefined],
  ])('log dir %s', (name, expected) => expect(parsePodLogDir(name)).toEqual(expected));

  it.each([
    ['0.log', 0],
    ['3.log', 3],
    ['0.log.20261203-062408', undefined],
    ['0.log.20261203-062408.gz', undefined],
    ['x.log', undefined],
  ])('restart log %s', (name, expected) => expect(restartOfLogFile(name)).toBe(expected));

  it.each([
    [`pod${UID}`, true], // cgroupfs driver
    [`kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice`, true], // systemd driver
    [`kubepods-pod${UID.replace(/-/g, '_')}.slice`, true], // systemd, Guaranteed
    [`kubepods-besteffort-pod${UID}.slice`, false], // the systemd driver never keeps the `-`
    ['podother', false],
    ['burstable', false],
  ])('pod cgroup %s', (dir, expected) => expect(isPodCgroupOf(dir, UID)).toBe(expected));

  it('writes the log path and pod cgroup name the reader parses', () => {
    const p = { namespace: 'guest', pod: 'sp-0a1b2c3d4e5f', uid: UID };
    const file = containerLogPath('/var/log/pods', p, 'user-action', 0);
    expect(file).toBe(`/var/log/pods/guest_sp-0a1b2c3d4e5f_${UID}/user-action/0.log`);
    expect(parsePodLogDir(file.split('/')[4])).toEqual(p);
    expect(isPodCgroupOf(podCgroupName(UID), UID)).toBe(true);
  });

  it('keys a restarted container apart from its first run', () => {
    expect(podContainerKey('wskinvoker0-1-guest-a', 0)).toBe('wskinvoker0-1-guest-a');
    expect(podContainerKey('wskinvoker0-1-guest-a', 2)).toBe('wskinvoker0-1-guest-a.2');
  });
});

describe('parsePodList', () => {
  it('reads the pods and their labels', () => {
    const list = JSON.stringify({
      kind: 'PodList',
      items: [
        { metadata: { uid: UID, name: 'wskinvoker0-1-guest-a', namespace: 'openwhisk', labels: { 'user-action-pod': 'true', invoker: 'invoker0' } } },
        { metadata: { uid: 'u2', name: 'owdev-invoker-0', namespace: 'openwhisk', labels: { name: 'owdev-invoker' } } },
        { metadata: { name: 'no-uid' } },
      ],
    });
    const pods = parsePodList(list);
    expect(pods.map((p) => [p.name, isActionPod(p)])).toEqual([
      ['wskinvoker0-1-guest-a', true],
      ['owdev-invoker-0', false],
    ]);
  });

  it.each([
    ['<html>', 'the API server did not answer with JSON'],
    [JSON.stringify({ kind: 'Status', status: 'Failure' }), 'the API server answered a Status, not a PodList'],
  ])('refuses %s in one line', (text, message) => expect(() => parsePodList(text)).toThrow(message));
});
