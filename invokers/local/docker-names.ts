// Container names as OpenWhisk's Docker invoker makes them (pure): `wsk{invoker}{n}_{counter}_{…}`,
// `{namespace}_{action}` for an action's container, `prewarm_{kind}` for a prewarmed one (which
// keeps that name when an action takes it over), keeping only [A-Za-z0-9_].

export function dockerSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '');
}

/** The prefix every container of one invoker instance shares (what a restarted invoker reaps). */
export function containerNamePrefix(invoker: string, instance: number): string {
  return `wsk${dockerSafe(invoker)}${instance}_`;
}

export function actionContainerName(prefix: string, counter: number, namespace: string, action: string): string {
  return `${prefix}${counter}_${dockerSafe(namespace)}_${dockerSafe(action)}`;
}

export function prewarmContainerName(prefix: string, counter: number, kind: string): string {
  return `${prefix}${counter}_prewarm_${dockerSafe(kind)}`;
}
