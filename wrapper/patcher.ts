// Reversible, idempotent method patching (the shape of opentelemetry's shimmer): every patch
// is recorded so unpatchAll() restores the originals, and a patched function carries a
// marker so a second install (or a second copy of the wrapper) never wraps it twice.

const PATCHED = Symbol.for('serverless-provenance.wrapper.patched');
const REGISTRY_KEY = Symbol.for('serverless-provenance.wrapper.patches');

interface Patch {
  target: object;
  key: PropertyKey;
  original: unknown;
  /** whether the target had the property as its own before patching */
  hadOwn: boolean;
  replacement: unknown;
}

const g = globalThis as unknown as Record<symbol, Patch[] | undefined>;
const patches: Patch[] = (g[REGISTRY_KEY] ??= []);

type AnyFn = (this: unknown, ...args: any[]) => any;

export function isPatched(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[PATCHED] === true;
}

/**
 * Replaces target[key] (a function) with makeWrapper(original). No-op when the current value
 * is already a wrapper of ours or is not a function. Returns whether it patched.
 */
export function patchMethod<F extends AnyFn>(target: object, key: PropertyKey, makeWrapper: (original: F) => F): boolean {
  const holder = target as Record<PropertyKey, unknown>;
  const original = holder[key];
  if (typeof original !== 'function' || isPatched(original)) return false;
  const replacement = makeWrapper(original as F);
  Object.defineProperty(replacement, PATCHED, { value: true });
  // Keep the function's public shape (name, length, static properties such as util.promisify.custom).
  for (const prop of Reflect.ownKeys(original)) {
    if (prop === 'prototype' || prop === 'length' || prop === 'name' || prop === 'caller' || prop === 'arguments') continue;
    const desc = Object.getOwnPropertyDescriptor(original, prop);
    if (desc && !Object.prototype.hasOwnProperty.call(replacement, prop)) Object.defineProperty(replacement, prop, desc);
  }
  Object.defineProperty(replacement, 'name', { value: (original as AnyFn).name, configurable: true });
  const hadOwn = Object.prototype.hasOwnProperty.call(target, key);
  const desc = Object.getOwnPropertyDescriptor(target, key);
  if (desc && !desc.writable && !desc.set && !desc.configurable) return false;
  Object.defineProperty(target, key, {
    value: replacement,
    writable: true,
    configurable: true,
    enumerable: desc ? desc.enumerable : false,
  });
  patches.push({ target, key, original, hadOwn, replacement });
  return true;
}

/** Restores every patch, newest first. Patches someone else stacked on top are left alone. */
export function unpatchAll(): number {
  let restored = 0;
  while (patches.length > 0) {
    const p = patches.pop()!;
    const holder = p.target as Record<PropertyKey, unknown>;
    if (holder[p.key] !== p.replacement) continue;
    if (p.hadOwn) holder[p.key] = p.original;
    else delete holder[p.key];
    restored += 1;
  }
  return restored;
}

export function patchCount(): number {
  return patches.length;
}
