// Which containers of the engine are action containers (pure). OpenWhisk's Docker invoker names
// every container it starts `wsk<invoker>_<n>_...` (prewarmed ones too), and the other containers
// on an invoker node (the invoker itself, monitoring) are named otherwise; so the default rule is
// the name pattern ^wsk, with a label to exclude anything else explicitly. The rule only picks what
// to follow; the action a container serves always comes from the wrapper's begin record.

export interface ActionRule {
  /** container names (without Docker's leading "/") that are followed; `all` for every container */
  pattern: RegExp | 'all';
  /** containers carrying this label (any value) are never followed */
  ignoreLabel: string;
}

export const DEFAULT_ACTION_RULE: ActionRule = { pattern: /^wsk/, ignoreLabel: 'serverless-provenance.ignore' };

export function parsePattern(text: string): RegExp | 'all' {
  if (text === 'all') return 'all';
  try {
    return new RegExp(text);
  } catch (err) {
    throw new Error(`--containers ${JSON.stringify(text)} is not a regular expression (${(err as Error).message}); give one such as '^wsk', or 'all'`);
  }
}

export function isActionContainer(rule: ActionRule, name: string, labels: Record<string, string> | undefined): boolean {
  if (labels && rule.ignoreLabel in labels) return false;
  const bare = name.replace(/^\//, '');
  return rule.pattern === 'all' || rule.pattern.test(bare);
}
