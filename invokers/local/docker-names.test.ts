import { describe, expect, it } from 'vitest';
import { cgroupV2Path } from './docker-container';
import { dockerConnection } from './docker-engine';
import { actionContainerName, containerNamePrefix, prewarmContainerName } from './docker-names';

describe('container names, as OpenWhisk makes them', () => {
  const prefix = containerNamePrefix('local-vm', 0);
  it.each([
    [actionContainerName(prefix, 3, 'guest', 'hello'), 'wsklocalvm0_3_guest_hello'],
    [actionContainerName(prefix, 4, 'guest', 'pkg/my-action.v2'), 'wsklocalvm0_4_guest_pkgmyactionv2'],
    [prewarmContainerName(prefix, 1, 'nodejs:20'), 'wsklocalvm0_1_prewarm_nodejs20'],
  ])('%s', (name, expected) => {
    expect(name).toBe(expected);
    expect(name).toMatch(/^[A-Za-z0-9_]+$/);
  });
});

describe('dockerConnection', () => {
  it.each([
    ['unix:///run/docker.sock', { socketPath: '/run/docker.sock' }],
    ['tcp://127.0.0.1:2375', { host: '127.0.0.1', port: 2375, protocol: 'http' }],
  ])('%s', (host, expected) => expect(dockerConnection(host)).toEqual(expected));

  it.each(['unix://relative.sock', 'http://x', '/var/run/docker.sock'])('refuses %s with the forms it takes', (host) => {
    expect(() => dockerConnection(host)).toThrow(/give unix:\/\/\/path\/to\/docker.sock or tcp:\/\/host:port|write unix:\/\/\/absolute/);
  });
});

describe('cgroupV2Path', () => {
  it.each([
    ['1:cpu:/docker/abc\n0::/docker/abc\n', '/docker/abc'],
    ['0::/\n', '/'],
    ['1:cpu:/docker/abc\n', undefined],
  ])('%j', (text, expected) => expect(cgroupV2Path(text)).toBe(expected));
});
