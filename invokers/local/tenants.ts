// The namespaces one platform serves, each with its own key and its own API (actions, packages,
// triggers, rules, activations), as OpenWhisk keeps subjects apart. A request's key picks its
// tenant; the public routes (web actions, API gateway) name their namespace in the path instead.
import type { Api } from './api';
import { credentialsFromHeader, isAuthorized } from './auth';
import { DEFAULT_NAMESPACE_ALIAS } from './names';
import type { Route } from './router';

export interface Tenant {
  namespace: string;
  /** `uuid:key`: what this namespace's callers send */
  auth: string;
  api: Api;
}

// OpenWhisk's namespace names: word characters, '@', '.', '-'; `_` means "the caller's own" and
// whisk.system is the platform's, so neither can be a tenant.
const NAMESPACE_NAME = /^[\w@.-]{1,256}$/;

/** Pure: the namespaces as given, checked; the first is the default one (the `.wskprops` one). */
export function checkNamespaces(namespaces: readonly string[]): string[] {
  if (namespaces.length === 0) throw new Error('the platform needs at least one namespace');
  const seen = new Set<string>();
  for (const ns of namespaces) {
    if (!NAMESPACE_NAME.test(ns) || ns === DEFAULT_NAMESPACE_ALIAS || ns === 'whisk.system') {
      throw new Error(`bad namespace ${JSON.stringify(ns)}: use letters, digits, '_', '@', '.', '-' (not "_" alone, not whisk.system)`);
    }
    if (seen.has(ns)) throw new Error(`namespace ${ns} is given twice: give each namespace once`);
    seen.add(ns);
  }
  return [...namespaces];
}

export class Tenants {
  constructor(private readonly tenants: readonly Tenant[]) {
    if (tenants.length === 0) throw new Error('the platform needs at least one tenant');
    const keys = new Set(tenants.map((t) => t.auth));
    if (keys.size !== tenants.length) throw new Error('two namespaces were given the same key: give each its own --auth, or let the platform generate them');
  }

  /** the first namespace: what `_` in a public URL and the platform's own firings fall back to */
  get default(): Tenant {
    return this.tenants[0]!;
  }

  all(): readonly Tenant[] {
    return this.tenants;
  }

  /** The tenant whose key the `Authorization` header carries; every key is compared, in constant time each. */
  byHeader(header: string | undefined): Tenant | undefined {
    if (credentialsFromHeader(header) === undefined) return undefined;
    let found: Tenant | undefined;
    for (const t of this.tenants) if (isAuthorized(header, t.auth)) found = t;
    return found;
  }

  byNamespace(namespace: string): Tenant | undefined {
    return this.tenants.find((t) => t.namespace === namespace);
  }

  /**
   * Who answers a public route: the namespace its path names (`_` or an unknown one: the default
   * tenant, whose API then answers 404 as OpenWhisk does for a name it does not serve).
   */
  forPublicRoute(route: Route): Tenant {
    const ns = route.kind === 'web' ? route.segments[0] : route.kind === 'gateway' ? route.ns : undefined;
    return (ns !== undefined ? this.byNamespace(ns) : undefined) ?? this.default;
  }
}
