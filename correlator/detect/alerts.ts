// The alert hook (custom.provenance.alerts): each NEW incident is delivered once, either by invoking
// an action on the platform (non-blocking, the incident as its parameters) or by POSTing it as JSON to
// a URL on the platform's host or a loopback address. Parsing is pure; delivery does the I/O.
import type { Incident } from '../../upg/analyses/types';

export type AlertHook = { action: string } | { url: string };

/**
 * Pure: a service's alert hook as the correlator invokes it. The service's own action name (no
 * leading `/`) means that action in the service's namespace, not in the correlator's.
 */
export function hookInNamespace(hook: AlertHook, namespace: string | undefined): AlertHook {
  if (!('action' in hook) || hook.action.startsWith('/') || namespace === undefined) return hook;
  return { action: `/${namespace}/${hook.action}` };
}

/** How to reach the platform's API to invoke an alert action. */
export interface PlatformAccess {
  /** e.g. http://127.0.0.1:3233 */
  apihost: string;
  /** `uuid:key` */
  auth: string;
  /** default `_` (the caller's own namespace) */
  namespace?: string;
}

export class AlertConfigError extends Error {
  override readonly name = 'AlertConfigError';
}

const ACTION_NAME = /^(\/[^/\s]+\/)?[A-Za-z0-9_@.-][A-Za-z0-9_@. -]*(\/[A-Za-z0-9_@.-][A-Za-z0-9_@. -]*)?$/;

/**
 * `alerts`: an action name (`incident-alert`, `/ns/pkg/action`), an http(s) URL, or {action} / {url}.
 * A URL must be on a loopback address or on the platform's own host: alerts carry incident details
 * and must not leave the platform.
 */
export function parseAlertHook(raw: unknown, platformHost?: string, where = 'custom.provenance.alerts'): AlertHook | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const { action, url, ...rest } = raw as Record<string, unknown>;
    if (Object.keys(rest).length || (action === undefined) === (url === undefined)) {
      throw new AlertConfigError(`${where} must name exactly one of action or url (e.g. {action: incident-alert})`);
    }
    value = action ?? url;
    if (url !== undefined && typeof url === 'string' && !/^https?:\/\//i.test(url)) throw new AlertConfigError(`${where}.url must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (typeof value !== 'string' || value.trim() === '') throw new AlertConfigError(`${where} must be an action name or an http(s) URL, got ${JSON.stringify(value)}`);
  const text = value.trim();
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new AlertConfigError(`${where}: ${JSON.stringify(text)} is not a URL`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const onPlatform = platformHost !== undefined && host === platformHost.toLowerCase();
    if (!isLoopback(host) && !onPlatform) {
      throw new AlertConfigError(`${where}: ${text} is not on the platform: alerts go to a loopback address (127.0.0.0/8, ::1, localhost) or the platform's API host${platformHost ? ` (${platformHost})` : ''}; or name an action to invoke`);
    }
    return { url: url.toString() };
  }
  if (!ACTION_NAME.test(text)) throw new AlertConfigError(`${where}: ${JSON.stringify(text)} is neither an action name nor an http(s) URL`);
  return { action: text };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Pure: the HTTP request that delivers one incident. */
export function alertRequest(hook: AlertHook, incident: Incident, platform?: PlatformAccess): { url: string; headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ incident });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if ('url' in hook) return { url: hook.url, headers, body };
  if (!platform) throw new AlertConfigError(`cannot invoke alert action ${hook.action}: the platform's API host and credentials are not known to the correlator`);
  const parts = hook.action.split('/').filter(Boolean);
  const namespace = hook.action.startsWith('/') ? parts.shift()! : (platform.namespace ?? '_');
  const name = parts.map(encodeURIComponent).join('/');
  headers.authorization = `Basic ${Buffer.from(platform.auth).toString('base64')}`;
  return { url: `${platform.apihost.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/actions/${name}?blocking=false`, headers, body };
}

/** Delivers one incident; throws with the reason when the hook did not accept it. */
export async function deliverAlert(hook: AlertHook, incident: Incident, platform?: PlatformAccess, timeoutMs = 5_000): Promise<void> {
  const req = alertRequest(hook, incident, platform);
  const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200);
    throw new Error(`alert hook ${'url' in hook ? hook.url : `action ${hook.action}`} answered ${res.status}${text ? `: ${text}` : ''}`);
  }
  await res.arrayBuffer().catch(() => undefined);
}
