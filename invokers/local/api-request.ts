// One REST API request as the HTTP server hands it to the API's handlers, and their answer: shared by
// the API and the handlers it delegates to (triggers, web actions), so neither imports the other for them.
import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from './router';

export interface ApiRequest {
  route: Route;
  query: URLSearchParams;
  body: () => unknown;
  transactionId: string;
  apiKey: string;
  method: string;
  headers: IncomingHttpHeaders;
  /** the body as it arrived (web actions see it raw) */
  rawBody: Buffer;
  /** the query string as it arrived, without '?' */
  rawQuery: string;
  /** the request carried the platform's credentials */
  authorized: boolean;
}

export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** sent as is instead of `body` as JSON (web action responses) */
  raw?: Buffer;
}
