// POSTs one action-runtime protocol message (/init or /run) to a container's runtime on 127.0.0.1
// and turns the answer, a time-out or a broken connection into a CallResult.
import * as http from 'node:http';

export type HttpAnswer = { httpStatus: number; body: unknown };
export type CallResult = HttpAnswer | { timeout: true } | { crashed: string };

export function postToRuntime(port: number, agent: http.Agent, pathname: string, message: unknown, timeoutMs: number): Promise<CallResult> {
  const payload = JSON.stringify(message);
  return new Promise<CallResult>((resolve) => {
    let settled = false;
    const settle = (r: CallResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      settle({ timeout: true });
      req.destroy();
    }, timeoutMs);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: pathname,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => settle({ crashed: err.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
          settle({ httpStatus: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', (err) => settle({ crashed: err.message }));
    req.end(payload);
  });
}
