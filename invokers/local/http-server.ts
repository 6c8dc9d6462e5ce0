// The HTTP side of the platform: 127.0.0.1 only, basic auth, JSON in and out, OpenWhisk-shaped
// errors `{error, code}`, and the transaction id (the caller's X-Request-ID or a new one) echoed
// in the response's X-Request-ID. A body over OpenWhisk's limit is answered 413, never dropped.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from './api-error';
import { credentialsFromHeader, isAuthorized, newTransactionId, transactionIdFrom } from './auth';
import type { Tenants } from './tenants';
import { MAX_ACTION_PUT_BYTES, MAX_PAYLOAD_BYTES, tooLarge } from './limits';
import { isPublicRoute, route, type Route } from './router';


/** What a request may carry: an action's code on PUT, OpenWhisk's payload limit everywhere else. */
export function bodyLimit(r: Route): number {
  return r.kind === 'actions.put' ? MAX_ACTION_PUT_BYTES : MAX_PAYLOAD_BYTES;
}

/**
 * Reads the body up to `limit` bytes. Over it, the rest is read and thrown away (so the client,
 * still sending, gets the 413 instead of a reset connection) and the promise rejects with a 413.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      if (!over) chunks.push(c);
    });
    req.on('end', () => (over ? reject(tooLarge('Request', Number.isFinite(declared) ? declared : size, limit)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/**
 * The request target as a URL. Resolved against a base, a target starting with `//` would be read
 * as a host name (and one that is no valid host throws): the target is a path, so it is appended.
 */
function requestUrl(target: string | undefined): URL {
  const t = target ?? '/';
  try {
    if (t.startsWith('/')) return new URL(`http://127.0.0.1${t}`);
  } catch {
    // fall through
  }
  throw new ApiError(400, `The request target '${t.slice(0, 100)}' is not a path: send /api/v1/...`);
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, `The request content was malformed:\n${(err as Error).message}`);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string>, raw?: Buffer): void {
  if (res.headersSent) return;
  if (status === 204 || (body === undefined && raw === undefined)) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const payload = raw ?? Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...(raw ? {} : { 'content-type': 'application/json' }), ...headers, 'content-length': payload.length });
  res.end(payload);
}

export async function listen(
  tenants: Tenants,
  port: number,
  log: (line: string) => void,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    let transactionId: string;
    try {
      transactionId = transactionIdFrom(req.headers['x-request-id'], newTransactionId);
    } catch (err) {
      transactionId = newTransactionId();
      req.resume();
      send(res, 400, { error: (err as Error).message, code: transactionId }, { 'x-request-id': transactionId });
      return;
    }
    const headers = { 'x-request-id': transactionId };
    void (async () => {
      try {
        const url = requestUrl(req.url);
        let r: Route;
        try {
          r = route(req.method ?? 'GET', url.pathname);
        } catch (err) {
          req.resume();
          throw err;
        }
        // the key picks the namespace; a public route names its own and is "authorized" only with that namespace's key
        const tenant = isPublicRoute(r) ? tenants.forPublicRoute(r) : tenants.byHeader(req.headers.authorization);
        if (!tenant) {
          req.resume();
          throw new ApiError(401, 'The supplied authentication is invalid');
        }
        const api = tenant.api;
        const authorized = isAuthorized(req.headers.authorization, tenant.auth);
        const raw = await readBody(req, bodyLimit(r));
        let parsed: { value: unknown } | undefined;
        const reply = await api.handle({
          route: r,
          query: url.searchParams,
          body: () => (parsed ??= { value: parseJson(raw) }).value,
          transactionId,
          apiKey: credentialsFromHeader(req.headers.authorization) ?? '',
          method: req.method ?? 'GET',
          headers: req.headers,
          rawBody: raw,
          rawQuery: url.search.replace(/^\?/, ''),
          authorized,
        });
        send(res, reply.status, reply.body, { ...headers, ...reply.headers }, reply.raw);
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
  // Idle keep-alive sockets are the client's to close: Node's own agent drops them after 5 s, and a
  // server that also closed at 5 s raced it, so a client reusing a socket as it closed got ECONNRESET.
  // Longer than any common client's idle timeout, as load balancers do; stop() closes them all anyway.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is in use: choose another with --port` : err.message)),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
