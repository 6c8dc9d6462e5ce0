// `sls provenance trace <reqId>`: Serverless v3 takes every word before the first option as
// part of the command name, so "provenance trace abc" names no command. The framework
// re-reads process.argv after the plugins are loaded (scripts/serverless.js, "resolve CLI
// input (+ plugins schema)"), so the plugin's constructor turns the positional id into
// `--reqId <id>` before that happens. This file is the pure rewrite; plugin.ts applies it.

/** Serverless' own option syntax (lib/cli/param-reg-exp.js): --name, --name=value, -abc. */
const PARAM = /^-(?:-(?<fullName>[a-zA-Z][A-Za-z0-9:_-]+)|(?<aliasNames>[a-z]+))(?:=(?<value>.*)|$)/;

export interface PositionalRewrite {
  /** the command words whose next word is the positional argument, e.g. ["provenance", "trace"] */
  command: readonly string[];
  /** the option that receives it, e.g. "reqId" */
  option: string;
  /** options (full names and one-letter aliases) that take no value, so the word after them is not theirs */
  booleanOptions: ReadonlySet<string>;
}

export type RewriteResult = { args: string[]; changed: boolean } | { error: string };

/**
 * `args` is process.argv.slice(2). Returns the args with the one positional word after
 * `command` moved into `--<option> <word>` (placed right after the command words), the args
 * unchanged when they do not start with `command` or carry no positional word, or an error
 * when the positional word is ambiguous.
 */
export function rewritePositionalArg(args: readonly string[], rule: PositionalRewrite): RewriteResult {
  const n = rule.command.length;
  if (args.length < n || rule.command.some((word, i) => args[i] !== word)) {
    return { args: [...args], changed: false };
  }
  const positionals: number[] = [];
  let optionGiven = false;
  for (let i = n; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      for (let j = i + 1; j < args.length; j++) positionals.push(j);
      break;
    }
    const match = PARAM.exec(arg);
    if (!match) {
      positionals.push(i);
      continue;
    }
    const { fullName, aliasNames, value } = match.groups as { fullName?: string; aliasNames?: string; value?: string };
    const name = fullName ?? aliasNames ?? '';
    if (name === rule.option) optionGiven = true;
    if (value !== undefined) continue;
    if (takesNoValue(name, Boolean(aliasNames), rule.booleanOptions)) continue;
    // Like the framework's parser: a value-taking option consumes the next word unless it is an option.
    if (i + 1 < args.length && args[i + 1] !== '--' && !PARAM.test(args[i + 1])) i++;
  }

  if (positionals.length === 0) return { args: [...args], changed: false };
  const words = positionals.map((i) => args[i]);
  const usage = `Usage: serverless ${rule.command.join(' ')} <${rule.option}> (or --${rule.option} <${rule.option}>)`;
  if (positionals.length > 1) {
    return {
      error: `"${rule.command.join(' ')}" takes one ${rule.option}, got ${positionals.length} words: ${words.join(' ')}. ${usage}`,
    };
  }
  if (optionGiven) {
    return {
      error: `"${rule.command.join(' ')}": the ${rule.option} is given twice (as "${words[0]}" and with --${rule.option}); give it once. ${usage}`,
    };
  }
  // Drop the word, and a "--" that only served to introduce it.
  const drop = new Set([positionals[0], args.indexOf('--', n)]);
  const rest = args.slice(n).filter((_, k) => !drop.has(k + n));
  return { args: [...args.slice(0, n), `--${rule.option}`, words[0], ...rest], changed: true };
}

function takesNoValue(name: string, isAlias: boolean, booleans: ReadonlySet<string>): boolean {
  if (isAlias && name.length > 1) return true; // "-hv": a bundle of boolean flags
  if (booleans.has(name)) return true;
  return name.startsWith('no-') && booleans.has(name.slice(3));
}
