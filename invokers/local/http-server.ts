// The HTTP side of the platform: 127.0.0.1 only, basic auth, JSON in and out, OpenWhisk-shaped
// errors `{error, code}`, and the transaction id (the caller's X-Request-ID or a new one) echoed
// in the response's X-Request-ID.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Api } from './api';
import { ApiError } from './api-error';
import { credentialsFromHeader, isAuthorized, transactionIdFrom } from './auth';
import { isPublicRoute, route } from './router';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function newTransactionId(): string {
  return randomBytes(16).toString('hex');
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, `The request content exceeds the maximum of ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, `The request content was malformed: ${(err as Error).message}`);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function listen(
  api: Api,
  auth: string,
  port: number,
  log: (line: string) => void,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    let transactionId: string;
    try {
      transactionId = transactionIdFrom(req.headers['x-request-id'], newTransactionId);
    } catch (err) {
      transactionId = newTransactionId();
      send(res, 400, { error: (err as Error).message, code: transactionId }, { 'x-request-id': transactionId });
      return;
    }
    const headers = { 'x-request-id': transactionId };
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const r = route(req.method ?? 'GET', url.pathname);
        if (!isPublicRoute(r) && !isAuthorized(req.headers.authorization, auth)) {
          throw new ApiError(401, 'The supplied authentication is invalid');
        }
        const raw = await readBody(req);
        let parsed: { value: unknown } | undefined;
        const reply = await api.handle({
          route: r,
          query: url.searchParams,
          body: () => (parsed ??= { value: parseJson(raw) }).value,
          transactionId,
          apiKey: credentialsFromHeader(req.headers.authorization) ?? '',
        });
        send(res, reply.status, reply.body, { ...headers, ...reply.headers });
      } catch (err) {
        if (err instanceof ApiError) {
          send(res, err.status, { error: err.message, code: transactionId }, headers);
        } else {
          log(`platform: internal error on ${req.method} ${req.url}: ${(err as Error).stack ?? err}`);
          send(res, 500, { error: 'The server encountered an internal error.', code: transactionId }, headers);
        }
      }
    })();
  });
  // keep-alive sockets from clients must not hold stop() up
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is in use: choose another with --port` : err.message)),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
