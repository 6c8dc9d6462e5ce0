// Test support for driving an action runtime process over the action-runtime protocol, as an
// invoker does: the port it reports on its ready pipe, then POST /init and /run.
import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { Readable } from 'node:stream';
import { READY_FD } from '../protocol/action-runtime';

/** The port the runtime writes on its ready pipe once it listens (spawn it with that fd piped). */
export function readyPort(proc: ChildProcess, detail: () => string = () => ''): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    (proc.stdio[READY_FD] as Readable).on('data', (d: Buffer) => {
      text += d.toString('utf8');
      if (text.includes('\n')) resolve(Number(text.split('\n')[0]));
    });
    proc.once('exit', (code) => reject(new Error(`the runtime exited (${code}) before it listened${detail() ? `: ${detail()}` : ''}`)));
  });
}

export function post(port: number, urlPath: string, body: unknown, timeoutMs = 30_000): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: 'POST', timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : undefined }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}
