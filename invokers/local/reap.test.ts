import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_DIR_ENV } from '../../protocol/action-runtime';
import { pidsInContainersDir, reapProcessContainers, writeContainerRecord } from './reap';

describe('pidsInContainersDir', () => {
  it.each([
    [`A=1\0${CODE_DIR_ENV}=/s/platform/containers/sp-1\0`, true],
    [`${CODE_DIR_ENV}=/s/platform/containers/sp-1`, true],
    [`${CODE_DIR_ENV}=/other/platform/containers/sp-1`, false],
    [`${CODE_DIR_ENV}=/s/platform/containers-old/sp-1`, false],
    [`X${CODE_DIR_ENV}=/s/platform/containers/sp-1`, false],
  ])('%j → %s', (environ, found) => {
    expect(pidsInContainersDir([{ pid: 7, environ }], '/s/platform/containers')).toEqual(found ? [7] : []);
  });
});

describe('reapProcessContainers', () => {
  it('kills the processes an earlier run left running in its container directories', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reap-'));
    const containerDir = path.join(dir, 'sp-left');
    fs.mkdirSync(containerDir);
    const left = spawn('sleep', ['600'], { env: { PATH: process.env.PATH, [CODE_DIR_ENV]: containerDir }, stdio: 'ignore' });
    const exited = new Promise((r) => left.once('exit', (_code, signal) => r(signal)));
    writeContainerRecord(containerDir, { id: 'sp-left', pid: left.pid, platformPid: 1, started: Date.now() });
    try {
      expect(await reapProcessContainers(dir)).toEqual({ containers: 1, processes: 1 });
      expect(await exited).toBe('SIGKILL');
    } finally {
      left.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds nothing where nothing was left', async () => {
    expect(await reapProcessContainers(path.join(os.tmpdir(), 'reap-does-not-exist'))).toEqual({ containers: 0, processes: 0 });
  });
});
