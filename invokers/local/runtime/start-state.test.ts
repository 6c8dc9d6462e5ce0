import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../package/root';
import { post, readyPort } from '../../../test/action-runtime-client';
import { OPENWHISK_RUNTIME_BUILTINS } from './start-state';

// Public builtins a fresh node process loads for `code`, beyond those it has after requiring http.
function builtinsAddedBy(code: string): string[] {
  const script = `
    require('http');
    const before = new Set(process.moduleLoadList);
    ${code};
    const added = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ') && !m.includes('internal/'));
    process.stdout.write(JSON.stringify(added.map((m) => m.slice('NativeModule '.length)).sort()));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: __dirname, encoding: 'utf8' })) as string[];
}

describe('the runtime process start-up state', () => {
  it("is the builtins OpenWhisk's express-based Node runtime has loaded before /init", () => {
    // OpenWhisk's runtime (core/nodejsActionBase/app.js in apache/openwhisk-runtime-nodejs)
    // requires body-parser and express and builds its app before it listens
    const byExpress = builtinsAddedBy("require('body-parser'); const express = require('express'); express().use(express.json({ limit: '48mb' }))");
    expect(byExpress).toEqual([...OPENWHISK_RUNTIME_BUILTINS].sort());
  });

  it('is what an action finds loaded when its code arrives (the runtime from dist/)', async () => {
    const runtime = path.join(packageRoot(), 'dist/invokers/local/runtime/server.js');
    const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-state-'));
    const proc = spawn(process.execPath, [runtime], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env: { ...process.env, __SP_CODE_DIR: codeDir } });
    try {
      const port = await readyPort(proc);
      // the action's top level runs in /init: it sees what the runtime loaded before
      const code = `const loaded = ${JSON.stringify(OPENWHISK_RUNTIME_BUILTINS)}.filter((n) => process.moduleLoadList.includes('NativeModule ' + n));
        function main() { return { loaded }; }`;
      expect((await post(port, '/init', { value: { code, main: 'main' } })).body).toEqual({ OK: true });
      const ran = (await post(port, '/run', { value: {}, activation_id: 'a', namespace: 'n', action_name: 'x', transaction_id: 't', deadline: String(Date.now() + 10000) })).body as { loaded: string[] };
      expect(ran.loaded).toEqual([...OPENWHISK_RUNTIME_BUILTINS]);
    } finally {
      proc.kill();
      fs.rmSync(codeDir, { recursive: true, force: true });
    }
  });
});
