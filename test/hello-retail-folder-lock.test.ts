import { existsSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lockPath, withFolderLock } from '../examples/hello-retail/folder-lock';

describe('withFolderLock (one serverless run per service folder)', () => {
  it('runs holders of the same folder one after the other, and different folders side by side', async () => {
    const folder = `/tmp/lock-test-${process.pid}-a`;
    const events: string[] = [];
    const job = (name: string, ms: number) =>
      withFolderLock(folder, async () => {
        events.push(`${name}:in`);
        await new Promise((r) => setTimeout(r, ms));
        events.push(`${name}:out`);
      });
    let otherRan = false;
    await Promise.all([job('one', 300), job('two', 50), withFolderLock(`${folder}-other`, async () => void (otherRan = events.length === 1))]);
    expect(events).toEqual(['one:in', 'one:out', 'two:in', 'two:out']);
    expect(otherRan).toBe(true);
    expect(existsSync(lockPath(folder))).toBe(false);
  });

  it('takes over a lock left by a process that is gone, and releases it when the work throws', async () => {
    const folder = `/tmp/lock-test-${process.pid}-b`;
    writeFileSync(lockPath(folder), '999999999');
    await expect(withFolderLock(folder, async () => Promise.reject(new Error('deploy failed')))).rejects.toThrow('deploy failed');
    expect(existsSync(lockPath(folder))).toBe(false);
  });

  it('gives up with a message naming the holder when the lock is held too long', async () => {
    const folder = `/tmp/lock-test-${process.pid}-c`;
    writeFileSync(lockPath(folder), String(process.ppid));
    try {
      await expect(withFolderLock(folder, async () => 'never', { timeoutMs: 300 })).rejects.toThrow(`pid ${process.ppid}`);
    } finally {
      writeFileSync(lockPath(folder), '');
    }
  });
});
