// Web actions as OpenWhisk runs them (pure): which action a `/api/v1/web/...` URL names, the
// parameters an HTTP request becomes (`__ow_method`, `__ow_headers`, `__ow_path`, `__ow_body`,
// `__ow_query` for raw actions), and the HTTP response an activation's result becomes.
import { annotation, type ActionDoc } from './action-doc';
import type { ActivationResponse } from './activation-record';
import { ApiError, Errors } from './api-error';
import { isValidEntityName, type ActionRef } from './names';
import { isObject } from './json-object';

export const WEB_EXTENSIONS = ['json', 'html', 'http', 'text', 'svg'] as const;
export type WebExtension = (typeof WEB_EXTENSIONS)[number];

export interface WebTarget {
  ref: ActionRef;
  extension: WebExtension;
  /** what follows the action name (`__ow_path`) */
  path: string;
}

export interface WebRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
  rawQuery: string;
  body: Buffer;
}

export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export const WEB_MESSAGES = {
  notWebAction: 'The requested resource does not exist.',
  badExtension: `Resource representation is only available with these types:\n${WEB_EXTENSIONS.map((e) => `.${e}`).join(', ')}`,
  notHttp: "Response is not valid 'message/http'.",
  missingProperty: (p: string) => `Response is missing the expected '${p}' property.`,
  failed: 'The action did not produce a valid response.',
};

/**
 * `<ns>/<pkg>/<action>[.<ext>][/<rest>]` (segments after /api/v1/web/); `default` is the package of
 * an action in no package. No extension means `.http`, as in OpenWhisk.
 */
export function webTarget(segments: string[]): WebTarget {
  if (segments.length < 3) throw Errors.notFound();
  const [namespace, pkg, last, ...rest] = segments;
  const dot = last.lastIndexOf('.');
  const name = dot > 0 && !/\s/.test(last.slice(dot + 1)) ? last.slice(0, dot) : last;
  const ext = dot > 0 && name !== last ? last.slice(dot + 1) : 'http';
  if (!(WEB_EXTENSIONS as readonly string[]).includes(ext)) throw new ApiError(406, WEB_MESSAGES.badExtension);
  if (!isValidEntityName(name) || !isValidEntityName(pkg)) throw Errors.notFound();
  const ref: ActionRef = pkg === 'default' ? { namespace, name } : { namespace, pkg, name };
  return { ref, extension: ext as WebExtension, path: rest.length ? `/${rest.join('/')}` : '' };
}

export function isWebAction(action: ActionDoc): boolean {
  const v = annotation(action, 'web-export');
  return v === true || v === 'true';
}

export type WebAuth = { kind: 'none' } | { kind: 'basic' } | { kind: 'secret'; value: string };

/** `require-whisk-auth`: true → the platform's credentials; a string or number → that value in `X-Require-Whisk-Auth`. */
export function webAuth(action: ActionDoc): WebAuth {
  const v = annotation(action, 'require-whisk-auth');
  if (v === true) return { kind: 'basic' };
  if ((typeof v === 'string' && v !== '' && v !== 'false') || typeof v === 'number') return { kind: 'secret', value: String(v) };
  return { kind: 'none' };
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|image\/svg\+xml)/i;

function header(headers: WebRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Headers as the action sees them: lower-case names, one string value each. */
function owHeaders(headers: WebRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * The activation's parameters: the action's defaults, then (unless the action is raw) the query
 * and a JSON or form body, then the `__ow_*` context. A raw action gets the body as a string
 * (base64 when it is not text) and the query string as they arrived.
 */
export function webParams(action: ActionDoc, target: WebTarget, req: WebRequest, user?: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const p of action.parameters) params[p.key] = p.value;
  const contentType = header(req.headers, 'content-type') ?? '';
  const raw = annotation(action, 'raw-http') === true;
  const bodyText = () => (TEXT_TYPES.test(contentType) || contentType === '' ? req.body.toString('utf8') : req.body.toString('base64'));
  const context: Record<string, unknown> = {
    __ow_method: req.method.toLowerCase(),
    __ow_headers: owHeaders(req.headers),
    __ow_path: target.path,
    ...(user ? { __ow_user: user } : {}),
  };
  if (raw) {
    return { ...params, ...context, __ow_query: req.rawQuery, __ow_body: req.body.length ? bodyText() : '' };
  }
  for (const [k, v] of req.query) params[k] = v;
  if (req.body.length > 0) {
    if (/^application\/json/i.test(contentType)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.body.toString('utf8'));
      } catch (err) {
        throw new ApiError(400, `The request content was malformed:\n${(err as Error).message}`);
      }
      if (isObject(parsed)) Object.assign(params, parsed);
      else context.__ow_body = parsed;
    } else if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
      for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params[k] = v;
    } else {
      context.__ow_body = bodyText();
    }
  }
  return { ...params, ...context };
}

function jsonBody(value: unknown, status = 200, headers: Record<string, string> = {}): WebResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(value)) };
}

/** `.http`: {statusCode, headers, body}; a string body of a non-text type is base64, as in OpenWhisk. */
function httpResponse(result: Record<string, unknown>): WebResponse {
  const statusCode = result.statusCode ?? result.code ?? (result.body === undefined ? 204 : 200);
  const rawHeaders = result.headers ?? {};
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599 || !isObject(rawHeaders)) {
    throw new ApiError(400, WEB_MESSAGES.notHttp);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHeaders)) headers[k.toLowerCase()] = String(v);
  const body = result.body;
  if (body === undefined || body === null) return { status: statusCode, headers, body: Buffer.alloc(0) };
  if (typeof body === 'string') {
    const type = headers['content-type'] ?? 'text/html';
    headers['content-type'] = type;
    return { status: statusCode, headers, body: TEXT_TYPES.test(type) ? Buffer.from(body) : Buffer.from(body, 'base64') };
  }
  headers['content-type'] ??= 'application/json';
  return { status: statusCode, headers, body: Buffer.from(JSON.stringify(body)) };
}

function property(result: Record<string, unknown>, key: string, type: string): WebResponse {
  const v = result[key];
  if (typeof v !== 'string') throw new ApiError(400, WEB_MESSAGES.missingProperty(key));
  return { status: 200, headers: { 'content-type': type }, body: Buffer.from(v) };
}

/**
 * The HTTP response of a finished web activation. An application error ({error}) answers 400
 * with the error, or, for `.http`, the error itself when it is an HTTP response; an action that
 * failed (crash, timeout, no dictionary) answers 502.
 */
export function webResponse(target: WebTarget, response: ActivationResponse): WebResponse {
  const result = response.result;
  if (response.status === 'application error') {
    const error = result.error;
    if (target.extension === 'http' && isObject(error) && ('statusCode' in error || 'body' in error)) return httpResponse(error);
    throw new ApiError(400, typeof error === 'string' ? error : JSON.stringify(error));
  }
  if (!response.success) {
    throw new ApiError(502, typeof result.error === 'string' ? result.error : WEB_MESSAGES.failed);
  }
  switch (target.extension) {
    case 'json':
      return jsonBody(result);
    case 'http':
      return httpResponse(result);
    case 'text':
      return property(result, 'text', 'text/plain');
    case 'html':
      return property(result, 'html', 'text/html');
    case 'svg':
      return property(result, 'svg', 'image/svg+xml');
  }
}
