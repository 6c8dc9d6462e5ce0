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
          if (target) follow(req, ctx, target);
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
