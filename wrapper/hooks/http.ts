// Records outbound HTTP(S) requests: method, URL, host, port, and the response status or
// the error. One record per request, written when its outcome is known (or at the
// activation's end if it is still pending).

import http = require('node:http');
import type https = require('node:https');
import { currentActivation, safely, type ActivationContext } from '../context';
import { emitRecord } from '../emit';
import { patchMethod } from '../patcher';
import { whenBuiltinLoaded } from './module-load';

type AnyFn = (...args: any[]) => any;

export interface HttpTarget {
  method: string;
  url: string;
  host: string;
  port: number;
}

/** What request() was asked for, from its call forms: (url[, options][, cb]) or (options[, cb]). */
export function httpTarget(args: unknown[], defaultProtocol: 'http:' | 'https:'): HttpTarget | undefined {
  let url: URL | undefined;
  let options: Record<string, unknown> = {};
  const [first, second] = args;
  if (typeof first === 'string' || first instanceof URL) {
    url = new URL(String(first));
    if (second && typeof second === 'object' && typeof second !== 'function') options = second as Record<string, unknown>;
  } else if (first && typeof first === 'object') {
    options = first as Record<string, unknown>;
  } else {
    return undefined;
  }
  const protocol = typeof options.protocol === 'string' ? options.protocol : url?.protocol ?? defaultProtocol;
  const hostname = String(options.hostname ?? (typeof options.host === 'string' ? options.host.replace(/:\d+$/, '') : undefined) ?? url?.hostname ?? 'localhost');
  const portValue = options.port ?? (url && url.port !== '' ? url.port : undefined);
  const port = portValue !== undefined && portValue !== null && portValue !== '' ? Number(portValue) : protocol === 'https:' ? 443 : 80;
  const path = typeof options.path === 'string' ? options.path : url ? `${url.pathname}${url.search}` : '/';
  const method = String(options.method ?? 'GET').toUpperCase();
  const hostForUrl = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  const defaultPort = protocol === 'https:' ? 443 : 80;
  const full = `${protocol}//${hostForUrl}${port === defaultPort ? '' : `:${port}`}${path}`;
  return { method, url: full, host: hostname, port: Number.isInteger(port) ? port : 0 };
}

/**
 * The openwhisk client's invocations are recorded as `invoke` records (hooks/openwhisk.ts), which
 * name the invoked action and the child activation: an http record of the same POST to the
 * platform's API would add nothing the graph uses, and cost a record, its MAC and its bytes in
 * every invoking activation. The invoke hook grants `count` such requests to the API at `api`
 * (the client's API URL); the first POSTs under it take the grants and are not recorded. Any
 * other request to the API (a retry, a raw call) is recorded as before.
 */
export function coverApiCalls(ctx: ActivationContext, api: unknown, count: number): void {
  if (typeof api !== 'string' || count <= 0) return;
  const base = httpTarget([`${api.endsWith('/') ? api : `${api}/`}namespaces/`], 'https:');
  if (!base) return;
  const covered = (ctx.coveredApiCalls ??= new Map());
  covered.set(base.url, (covered.get(base.url) ?? 0) + count);
}

/** Whether the request is one the invoke hook granted (and takes the grant). */
function coveredByInvoke(ctx: ActivationContext, target: HttpTarget): boolean {
  const covered = ctx.coveredApiCalls;
  if (!covered || covered.size === 0 || target.method !== 'POST') return false;
  for (const [prefix, n] of covered) {
    if (!target.url.startsWith(prefix)) continue;
    if (n <= 1) covered.delete(prefix);
    else covered.set(prefix, n - 1);
    return true;
  }
  return false;
}

function follow(req: http.ClientRequest, ctx: ActivationContext, target: HttpTarget): void {
  let done = false;
  const finish = (status?: number, err?: string) => {
    if (done) return;
    done = true;
    ctx.finishers.delete(finisher);
    const fields: { method: string; url: string; host: string; port: number; status?: number; err?: string } = { ...target };
    if (status !== undefined) fields.status = status;
    if (err !== undefined) fields.err = err;
    emitRecord(ctx, 'http', fields);
  };
  const finisher = () => finish(undefined, 'pending at activation end');
  ctx.finishers.add(finisher);
  // Watch events by wrapping this request's emit, not by adding listeners: a 'response'
  // listener stops Node from draining an unread response, an 'error' listener would swallow
  // an error that should crash an unprepared caller.
  const emit = req.emit;
  req.emit = function (this: http.ClientRequest, event: string | symbol, ...rest: unknown[]): boolean {
    if (!done) {
      if (event === 'response') safely('http response', () => finish((rest[0] as http.IncomingMessage).statusCode));
      else if (event === 'error') safely('http error', () => finish(undefined, (rest[0] as Error)?.message ?? 'error'));
      else if (event === 'close') safely('http close', () => finish(undefined, 'closed without a response'));
    }
    return emit.call(this, event, ...rest);
  } as typeof req.emit;
}

function patchRequest(module: typeof http | typeof https, name: 'request' | 'get', protocol: 'http:' | 'https:'): void {
  patchMethod(module, name, (original: AnyFn) =>
    function (this: unknown, ...args: unknown[]) {
      const ctx = currentActivation();
      const req = original.apply(this, args) as http.ClientRequest;
      if (ctx) {
        safely(`${protocol.slice(0, -1)}.${name}`, () => {
          const target = httpTarget(args, protocol);
          if (target && !coveredByInvoke(ctx, target)) follow(req, ctx, target);
        });
      }
      return req;
    },
  );
}

export function installHttpHooks(): void {
  patchRequest(http, 'request', 'http:');
  patchRequest(http, 'get', 'http:');
  // https (and TLS with it) is loaded only by actions that use it: patched then, not at every cold start
  whenBuiltinLoaded('https', (exports) => {
    patchRequest(exports as typeof https, 'request', 'https:');
    patchRequest(exports as typeof https, 'get', 'https:');
  });
}
