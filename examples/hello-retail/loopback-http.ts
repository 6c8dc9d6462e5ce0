// A tiny JSON HTTP server on 127.0.0.1 for the demo's network peers (card processor, webhook).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** http://<host>:<port> */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export type JsonHandler = (request: { method: string; path: string; body: unknown }) => { status: number; body?: unknown };

const MAX_BODY_BYTES = 64 * 1024;

export class BadRequest extends Error {}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }).end(payload);
}

/** Serves `handler` on a loopback address, 127.0.0.1 unless told (port 0 = any free port). */
export function listenOnLoopback(handler: JsonHandler, port = 0, host = '127.0.0.1'): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    readJson(req)
      .then((body) => {
        const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
        const answer = handler({ method: req.method ?? 'GET', path, body });
        send(res, answer.status, answer.body);
      })
      .catch((err: unknown) => {
        if (err instanceof BadRequest) send(res, 400, { error: err.message });
        else send(res, 500, { error: err instanceof Error ? err.message : String(err) });
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${bound}`,
        port: bound,
        stop: () =>
          new Promise<void>((done) => {
            // keep-alive connections from action containers would otherwise hold close() open
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
