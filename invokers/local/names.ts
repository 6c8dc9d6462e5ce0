// Entity names and namespaces as OpenWhisk spells them (pure).
import { ApiError } from './api-error';

/** The alias for "the caller's own namespace". */
export const DEFAULT_NAMESPACE_ALIAS = '_';

// OpenWhisk's entity name rule: word characters, then word characters, '@', ' ', '.', '-';
// it must not end with a space. 256 characters at most.
const ENTITY_NAME = /^(?:\w|\w[\w@ .-]*[\w@.-])$/;

export function isValidEntityName(name: string): boolean {
  return name.length > 0 && name.length <= 256 && ENTITY_NAME.test(name);
}

/** An action is `name` or `package/name` inside a namespace. */
export interface ActionRef {
  namespace: string;
  pkg?: string;
  name: string;
}

/** `/ns/name` or `/ns/pkg/name`: the fully qualified name OpenWhisk shows in __OW_ACTION_NAME. */
export function fullyQualified(ref: ActionRef): string {
  return ref.pkg ? `/${ref.namespace}/${ref.pkg}/${ref.name}` : `/${ref.namespace}/${ref.name}`;
}

/** The `namespace` field of an action or activation document: `ns` or `ns/pkg`. */
export function entityNamespace(ref: ActionRef): string {
  return ref.pkg ? `${ref.namespace}/${ref.pkg}` : ref.namespace;
}

/** `name` or `pkg/name`: the name as it is addressed inside its namespace. */
export function entityPath(ref: ActionRef): string {
  return ref.pkg ? `${ref.pkg}/${ref.name}` : ref.name;
}

/**
 * Resolve a namespace as written in a URL (`_` or the subject's own) to the subject's namespace;
 * any other namespace is not the caller's (this platform has exactly one subject).
 */
export function resolveNamespace(requested: string, own: string): string {
  if (requested === DEFAULT_NAMESPACE_ALIAS || requested === own) return own;
  throw new ApiError(403, `The supplied authentication is not authorized to access '${requested}'.`);
}

/** Validate the one or two name segments that address an action (after URL decoding). */
export function actionRefFrom(namespace: string, segments: string[]): ActionRef {
  if (segments.length < 1 || segments.length > 2) {
    throw new ApiError(400, 'An action is addressed as <name> or <package>/<name>.');
  }
  for (const s of segments) {
    if (!isValidEntityName(s)) {
      throw new ApiError(
        400,
        `The name '${s}' is not valid: use letters, digits, '_', '@', '.', '-' and spaces (not at the end).`,
      );
    }
  }
  return segments.length === 2
    ? { namespace, pkg: segments[0], name: segments[1] }
    : { namespace, name: segments[0] };
}

/**
 * `/ns/name` or `/ns/pkg/name` (a sequence component, a rule's action, a feed's trigger) as an
 * action reference; undefined when it is not one.
 */
export function parseQualifiedName(fqn: string, own?: string): ActionRef | undefined {
  const parts = fqn.split('/');
  if (parts[0] !== '' || parts.length < 3 || parts.length > 4) return undefined;
  const [, ns, a, b] = parts;
  const namespace = ns === DEFAULT_NAMESPACE_ALIAS && own ? own : ns;
  if (!namespace || !a.length || !isValidEntityName(b ?? a)) return undefined;
  return b === undefined ? { namespace, name: a } : { namespace, pkg: a, name: b };
}
