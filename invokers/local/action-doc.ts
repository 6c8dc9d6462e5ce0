// Action documents: validating what a client PUTs and shaping what the API returns (pure).
import { ApiError } from './api-error';
import { MAX_CODE_BYTES, MAX_SEQUENCE_COMPONENTS, tooLarge } from './limits';
import { entityNamespace, type ActionRef } from './names';
import { isObject } from './json-object';

export interface KeyValue {
  key: string;
  value: unknown;
}

export interface ActionLimits {
  /** ms */
  timeout: number;
  /** MB (recorded, not enforced: containers are plain processes) */
  memory: number;
  /** MB of activation logs kept */
  logs: number;
  /** activations one container may run at the same time */
  concurrency: number;
}

export interface ActionExec {
  kind: string;
  /** empty for a sequence */
  code: string;
  binary: boolean;
  main?: string;
  /** a sequence's actions, fully qualified (`/ns/name`, `/ns/pkg/name`), run in this order */
  components?: string[];
  /** the Docker image of a `blackbox` action (its code, optional, is then '' or what the image runs) */
  image?: string;
}

export const SEQUENCE_KIND = 'sequence';

export function isSequence(doc: { exec: ActionExec }): boolean {
  return doc.exec.kind === SEQUENCE_KIND;
}

export interface ActionDoc {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  exec: ActionExec;
  annotations: KeyValue[];
  parameters: KeyValue[];
  limits: ActionLimits;
  updated: number;
}

export const DEFAULT_LIMITS: ActionLimits = { timeout: 60_000, memory: 256, logs: 10, concurrency: 1 };

const LIMIT_RANGES: Record<keyof ActionLimits, [number, number, string]> = {
  timeout: [100, 600_000, 'milliseconds'],
  memory: [128, 4096, 'MB'],
  logs: [0, 10, 'MB'],
  concurrency: [1, 500, 'activations'],
};

const MAIN_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** A zip archive sent as base64 (what `serverless-openwhisk` sends for every function). */
export function looksLikeBase64Zip(code: string): boolean {
  if (!/^[A-Za-z0-9+/=\r\n]+$/.test(code.slice(0, 4096))) return false;
  const head = Buffer.from(code.slice(0, 8), 'base64');
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

function keyValues(v: unknown, field: string): KeyValue[] {
  if (!Array.isArray(v) || !v.every((kv) => isObject(kv) && typeof kv.key === 'string')) {
    throw new ApiError(400, `'${field}' must be an array of {"key": string, "value": any}.`);
  }
  return v.map((kv) => ({ key: kv.key as string, value: kv.value }));
}

function limits(v: unknown, base: ActionLimits): ActionLimits {
  if (v === undefined) return base;
  if (!isObject(v)) throw new ApiError(400, "'limits' must be an object like {\"timeout\": 60000}.");
  const out = { ...base };
  for (const [name, [min, max, unit]] of Object.entries(LIMIT_RANGES) as [keyof ActionLimits, [number, number, string]][]) {
    const value = v[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ApiError(400, `limits.${name} must be an integer from ${min} to ${max} ${unit} (got ${JSON.stringify(value)}).`);
    }
    out[name] = value;
  }
  return out;
}

const COMPONENT_NAME = /^\/[^/]+\/[^/]+(\/[^/]+)?$/;

/** A sequence's components as OpenWhisk stores them: fully qualified, `_` replaced by the owner's namespace. */
function sequenceExec(components: unknown, namespace: string): ActionExec {
  if (!Array.isArray(components) || components.length === 0 || !components.every((c) => typeof c === 'string' && COMPONENT_NAME.test(c))) {
    throw new ApiError(400, "a sequence's exec.components must be a non-empty array of fully qualified action names like '/_/first'.");
  }
  if (components.length > MAX_SEQUENCE_COMPONENTS) throw new ApiError(400, 'Too many actions in the sequence.');
  const own = namespace.split('/')[0];
  return { kind: SEQUENCE_KIND, code: '', binary: false, components: components.map((c: string) => c.replace(/^\/_\//, `/${own}/`)) };
}

function exec(v: unknown, namespace: string): ActionExec {
  if (!isObject(v)) throw new ApiError(400, "'exec' must be an object like {\"kind\": \"nodejs:20\", \"code\": \"...\"}.");
  const { kind, code, main, binary } = v;
  if (typeof kind !== 'string') throw new ApiError(400, "exec.kind must be a string such as 'nodejs:20'.");
  if (kind === SEQUENCE_KIND) return sequenceExec(v.components, namespace);
  if (kind === BLACKBOX_KIND) return blackboxExec(v);
  if (kind !== 'nodejs' && !/^nodejs:[\w.]+$/.test(kind)) {
    throw new ApiError(400, `kind '${kind}' is not supported by the local platform: use nodejs:default, nodejs:<version>, or blackbox with an image.`);
  }
  if (typeof code !== 'string' || code.length === 0) throw new ApiError(400, 'exec.code must be a non-empty string (JavaScript source, or a base64 zip).');
  const codeBytes = Buffer.byteLength(code);
  if (codeBytes > MAX_CODE_BYTES) throw tooLarge('exec', codeBytes, MAX_CODE_BYTES);
  if (main !== undefined && (typeof main !== 'string' || !MAIN_NAME.test(main))) {
    throw new ApiError(400, `exec.main must name an exported function, e.g. 'main' or 'handler.main' (got ${JSON.stringify(main)}).`);
  }
  if (binary !== undefined && typeof binary !== 'boolean') throw new ApiError(400, 'exec.binary must be true or false.');
  return {
    kind,
    code,
    binary: binary ?? looksLikeBase64Zip(code),
    ...(main !== undefined ? { main } : {}),
  };
}

export const BLACKBOX_KIND = 'blackbox';

/** A Docker image reference as `docker` accepts it: [registry[:port]/]name[:tag][@digest]. */
const IMAGE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** A Docker action: its image runs the action-runtime protocol itself; code is optional. */
function blackboxExec(v: Record<string, unknown>): ActionExec {
  const { image, code, main, binary } = v;
  if (typeof image !== 'string' || !IMAGE_NAME.test(image)) {
    throw new ApiError(400, `a blackbox action needs exec.image, a Docker image name such as 'my-action:latest' (got ${JSON.stringify(image)}).`);
  }
  if (code !== undefined && typeof code !== 'string') throw new ApiError(400, 'exec.code of a blackbox action must be a string when given.');
  if (main !== undefined && (typeof main !== 'string' || !MAIN_NAME.test(main))) {
    throw new ApiError(400, `exec.main must name an exported function, e.g. 'main' or 'handler.main' (got ${JSON.stringify(main)}).`);
  }
  if (binary !== undefined && typeof binary !== 'boolean') throw new ApiError(400, 'exec.binary must be true or false.');
  const text = code ?? '';
  return { kind: BLACKBOX_KIND, image, code: text, binary: binary ?? (text.length > 0 && looksLikeBase64Zip(text)), ...(main !== undefined ? { main } : {}) };
}

export function nextVersion(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m ? `${m[1]}.${m[2]}.${Number(m[3]) + 1}` : '0.0.1';
}

/**
 * The document that a PUT creates (no `existing`) or updates (`existing`, only with overwrite):
 * fields the body leaves out keep their old values, the version's patch number goes up.
 */
export function buildActionDoc(ref: ActionRef, body: unknown, existing: ActionDoc | undefined, now: number): ActionDoc {
  if (!isObject(body)) throw new ApiError(400, 'The request content was malformed: expected a JSON object describing the action.');
  if (!existing && body.exec === undefined) throw new ApiError(400, "'exec' is required to create an action.");
  if (body.publish !== undefined && typeof body.publish !== 'boolean') throw new ApiError(400, "'publish' must be true or false.");
  return {
    namespace: entityNamespace(ref),
    name: ref.name,
    version: existing ? nextVersion(existing.version) : '0.0.1',
    publish: (body.publish as boolean | undefined) ?? existing?.publish ?? false,
    exec: body.exec !== undefined ? exec(body.exec, entityNamespace(ref)) : existing!.exec,
    annotations: body.annotations !== undefined ? keyValues(body.annotations, 'annotations') : existing?.annotations ?? [],
    parameters: body.parameters !== undefined ? keyValues(body.parameters, 'parameters') : existing?.parameters ?? [],
    limits: limits(body.limits, existing?.limits ?? DEFAULT_LIMITS),
    updated: now,
  };
}

/** GET of one action: the full document, or without the code when `code=false`. */
export function actionView(doc: ActionDoc, withCode: boolean): object {
  if (isSequence(doc)) {
    const { code: _c, binary: _b, ...seq } = doc.exec;
    return { ...doc, exec: seq };
  }
  if (withCode) return doc;
  const { code: _code, ...execWithoutCode } = doc.exec;
  return { ...doc, exec: execWithoutCode };
}

/** An entry of the action list: no code. */
export function actionSummary(doc: ActionDoc): object {
  const { namespace, name, version, publish, annotations, limits: l, updated } = doc;
  return { namespace, name, version, publish, annotations, limits: l, exec: { binary: doc.exec.binary }, updated };
}

export function annotation(doc: { annotations: KeyValue[] }, key: string): unknown {
  return doc.annotations.find((a) => a.key === key)?.value;
}
