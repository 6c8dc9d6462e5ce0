// Which calls are logging calls: console.*, winston loggers (createLogger / child / loggers.get,
// followed through variables, properties, parameters, module exports and factory functions), and,
// when nothing resolves, a receiver whose name says it is a logger (`log.info`, `this.logger.warn`).
import ts from 'typescript';
import { Resolver, skipOuter } from './resolve';
import type { TemplateSink } from './types';

export interface LoggerDesc {
  /** winston's format includes splat(): the message is util.format-ed with as many args as placeholders */
  splat: boolean;
}

export interface LogCall {
  sink: TemplateSink;
  /** the message's arguments, in util.format order */
  args: readonly ts.Expression[];
  /** how the printed text is made from args */
  mode: 'format' | 'winston' | 'inspect';
  /** text Node prints before the formatted message (console.trace, console.assert) */
  prefix?: string;
  splat?: boolean;
}

const CONSOLE_STREAM: Record<string, 'stdout' | 'stderr'> = {
  log: 'stdout',
  info: 'stdout',
  debug: 'stdout',
  error: 'stderr',
  warn: 'stderr',
  trace: 'stderr',
  dir: 'stdout',
  assert: 'stderr',
};

const WINSTON_LEVELS = new Set(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly', 'crit', 'alert', 'emerg', 'notice', 'warning']);
const HEURISTIC_LEVELS = new Set([...WINSTON_LEVELS, 'log', 'trace', 'fatal', 'success', 'critical']);
const LOGGER_NAME = /^_*(?:log|logger|.*Logger|.*Log)$/;

export class LoggerFinder {
  private readonly cache = new Map<ts.Node, LoggerDesc | null>();

  constructor(
    private readonly r: Resolver,
    /** call sites of a local function, to follow a logger passed as an argument */
    private readonly callSitesOf: (fn: ts.SignatureDeclaration) => readonly ts.CallLikeExpression[],
    /** declaration of the local function a call reaches */
    private readonly calleeOf: (call: ts.CallExpression) => ts.SignatureDeclaration | undefined,
  ) {}

  classify(call: ts.CallExpression): LogCall | undefined {
    const callee = skipOuter(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    const recv = skipOuter(callee.expression);
    if (this.isConsole(recv)) {
      const stream = CONSOLE_STREAM[method];
      if (!stream) return undefined;
      const sink: TemplateSink = { kind: 'console', method, stream };
      if (method === 'dir') return { sink, args: call.arguments.slice(0, 1), mode: 'inspect' };
      if (method === 'trace') return { sink, args: call.arguments, mode: 'format', prefix: 'Trace: ' };
      if (method === 'assert') return { sink, args: call.arguments.slice(1), mode: 'format', prefix: call.arguments.length > 1 ? 'Assertion failed: ' : 'Assertion failed' };
      return { sink, args: call.arguments, mode: 'format' };
    }
    const logger = this.loggerOf(recv);
    if (logger) {
      if (method === 'log') {
        const [level, ...rest] = call.arguments;
        if (!level) return undefined;
        if (ts.isObjectLiteralExpression(skipOuter(level))) return { sink: { kind: 'winston', method: 'log' }, args: messageOf(skipOuter(level) as ts.ObjectLiteralExpression), mode: 'winston', splat: logger.splat };
        return { sink: { kind: 'winston', method: ts.isStringLiteralLike(level) ? level.text : 'log' }, args: rest, mode: 'winston', splat: logger.splat };
      }
      if (!WINSTON_LEVELS.has(method)) return undefined;
      return { sink: { kind: 'winston', method }, args: call.arguments, mode: 'winston', splat: logger.splat };
    }
    if (HEURISTIC_LEVELS.has(method) && looksLikeLogger(recv)) {
      return { sink: { kind: 'heuristic', method }, args: call.arguments, mode: 'format' };
    }
    return undefined;
  }

  private isConsole(e: ts.Expression): boolean {
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'console' && ts.isIdentifier(e.expression) && ['globalThis', 'global', 'window'].includes(e.expression.text)) return true;
    if (!ts.isIdentifier(e) || e.text !== 'console') return false;
    // the global console: no local declaration shadows it (with noLib the checker has none)
    return !this.r.definitions(e).decls.some((d) => d.getSourceFile().fileName.endsWith('.d.ts') === false);
  }

  /** The winston logger an expression evaluates to, if it is one. */
  loggerOf(expr: ts.Expression, depth = 0): LoggerDesc | undefined {
    const e = skipOuter(expr);
    const hit = this.cache.get(e);
    if (hit !== undefined) return hit ?? undefined;
    this.cache.set(e, null); // cycle guard
    const d = depth > 10 ? undefined : this.compute(e, depth);
    this.cache.set(e, d ?? null);
    return d;
  }

  private compute(e: ts.Expression, depth: number): LoggerDesc | undefined {
    if (ts.isCallExpression(e)) {
      const callee = skipOuter(e.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      const fromWinston = ts.isPropertyAccessExpression(callee) ? this.r.moduleOf(callee.expression) === 'winston' : ts.isIdentifier(callee) && this.r.importOf(callee)?.module === 'winston';
      if (fromWinston && (name === 'createLogger' || name === 'get' || name === 'add')) {
        return { splat: e.arguments.some((a) => /\bsplat\s*\(/.test(a.getText())) };
      }
      if (name === 'child' && ts.isPropertyAccessExpression(callee)) return this.loggerOf(callee.expression, depth + 1);
      const fn = this.calleeOf(e);
      if (fn && 'body' in fn && fn.body) {
        for (const ret of returnedExpressions(fn)) {
          const d = this.loggerOf(ret, depth + 1);
          if (d) return d;
        }
      }
      return undefined;
    }
    if (ts.isNewExpression(e)) {
      const callee = skipOuter(e.expression);
      if (ts.isPropertyAccessExpression(callee) && this.r.moduleOf(callee.expression) === 'winston' && callee.name.text === 'Logger') {
        return { splat: (e.arguments ?? []).some((a) => /\bsplat\s*\(/.test(a.getText())) };
      }
      return undefined;
    }
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const imp = this.r.importOf(e);
      if (imp) return imp.module === 'winston' && (imp.member === undefined || imp.member === 'default') ? { splat: false } : undefined;
      const { decls } = this.r.definitions(e);
      for (const v of this.r.valuesOf(e)) {
        const d = this.loggerOf(v, depth + 1);
        if (d) return d;
      }
      for (const decl of decls) {
        if (!ts.isParameter(decl) || !ts.isIdentifier(decl.name)) continue;
        const fn = decl.parent;
        const index = fn.parameters.indexOf(decl);
        for (const site of this.callSitesOf(fn)) {
          const arg = 'arguments' in site ? site.arguments?.[index] : undefined;
          const d = arg && this.loggerOf(arg, depth + 1);
          if (d) return d;
        }
      }
    }
    return undefined;
  }
}

function looksLikeLogger(e: ts.Expression): boolean {
  if (ts.isIdentifier(e)) return LOGGER_NAME.test(e.text);
  if (ts.isPropertyAccessExpression(e)) return LOGGER_NAME.test(e.name.text);
  return false;
}

/** winston's `log({ level, message, ...meta })`: the message property's value. */
function messageOf(o: ts.ObjectLiteralExpression): ts.Expression[] {
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'message') return [p.initializer];
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'message') return [p.name];
  }
  return [];
}

/** The expressions a function body returns (an arrow's expression body counts). */
export function returnedExpressions(fn: ts.SignatureDeclaration): ts.Expression[] {
  const body = (fn as ts.FunctionLikeDeclaration).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}
