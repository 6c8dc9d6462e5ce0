// analyzeAction: the static analyser's entry point. Loads the action's entry file and its local
// modules, finds every logging call, turns each into templates, builds every function's graph
// (specialising logging helpers per call site) and joins them into the LMS-CFG.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import ts from 'typescript';
import { FunctionBuilder, type BuildEnv } from './cfg-build';
import { formatTemplate, hasParams, stringOf, type ArgValue } from './format-model';
import { buildEdges, type FnGraph } from './graph';
import { normalizeParts, templateRegex, templateText } from './holes';
import { LoggerFinder, type LogCall } from './loggers';
import { loadLocalProgram, type LocalProgram } from './program';
import { Resolver, skipOuter } from './resolve';
import { ENTRY, EXIT, LMS_PROFILE_VERSION, type LmsProfile, type LmsSite, type LmsTemplate, type TemplatePart, type UnitLoop } from './types';
import { ValueModel, type Scope } from './values';

export interface AnalyzeOptions {
  /** name of the exported handler function (OpenWhisk's default: "main") */
  handler?: string;
}

/** Specialisations of one logging helper beyond this count share its generic graph. */
const MAX_SPECIALISATIONS = 64;

const IO_MODULE = /^(?:node:)?(?:fs|fs\/promises|http|https|http2|net|dgram|tls|dns|dns\/promises|child_process|readline)$|^@aws-sdk\/|^aws-sdk|^openwhisk$|^(?:axios|node-fetch|got|undici|request|superagent|pg|mysql2?|mongodb|mongoose|redis|ioredis)$|^@google-cloud\/|^@azure\//;

type Fn = ts.SignatureDeclaration | ts.SourceFile;

/**
 * Analyse one action: `entryFile` is its handler's source file (JavaScript or TypeScript); the
 * local modules it requires/imports inside its own package are followed, node_modules are not.
 * Throws an Error naming the problem when the file cannot be read or parsed.
 */
export function analyzeAction(entryFile: string, options: AnalyzeOptions = {}): LmsProfile {
  const t0 = performance.now();
  const lp = loadLocalProgram(entryFile);
  return new Analysis(lp, options.handler ?? 'main').run(t0);
}

class Analysis implements BuildEnv {
  private readonly r: Resolver;
  private readonly values: ValueModel;
  private readonly loggers: LoggerFinder;
  private readonly fileSet: Set<ts.SourceFile>;
  private readonly graphs = new Map<string, FnGraph>();
  private readonly building = new Set<string>();
  private readonly parametric = new Map<string, boolean>();
  private readonly specialisations = new Map<string, number>();
  private readonly templates = new Map<string, LmsTemplate>();
  private readonly sites: LmsSite[] = [];
  private readonly units = new Map<ts.Node, UnitLoop>();
  private readonly ioCache = new Map<ts.Node, string[]>();
  private callIndex?: Map<ts.Node, ts.CallLikeExpression[]>;
  private readonly notes: string[];
  private logCalls = 0;
  private readonly countedCalls = new Set<ts.Node>();

  constructor(
    private readonly lp: LocalProgram,
    private readonly handlerName: string,
  ) {
    this.fileSet = new Set(lp.files);
    this.r = new Resolver(lp.checker, lp.files);
    this.values = new ValueModel(this.r);
    this.loggers = new LoggerFinder(this.r, (fn) => this.callSitesOf(fn), (call) => {
      const c = this.calleeOf(call);
      return c && !ts.isSourceFile(c) ? c : undefined;
    });
    this.notes = lp.notes;
  }

  run(t0: number): LmsProfile {
    // every function of every file gets its generic graph, so every logging call is found
    for (const sf of this.lp.files) {
      this.graphFor(sf, undefined);
      const visit = (n: ts.Node): void => {
        if (ts.isFunctionLike(n) && (n as ts.FunctionLikeDeclaration).body) this.graphFor(n as ts.SignatureDeclaration, undefined);
        ts.forEachChild(n, visit);
      };
      ts.forEachChild(sf, visit);
    }
    const handler = this.findHandler();
    const escaped = findEscapedFunctions(this.lp.files, (e) => this.functionValue(e))
      .filter((f) => f !== handler)
      .map((f) => this.graphFor(f, undefined).key);
    const roots = { handler: [handler ? this.graphFor(handler, undefined).key : this.unknownHandler()], init: this.graphFor(this.lp.entry, undefined).key, escaped };
    const { edges, deferred } = buildEdges(this.graphs, roots, ENTRY, EXIT);
    for (const site of this.sites) if (deferred.has(site.id)) site.deferred = true;
    const edgeRecord: Record<string, string[]> = {};
    let edgeCount = 0;
    for (const [from, tos] of edges) {
      if (tos.size === 0) continue;
      edgeRecord[from] = [...tos].sort(bySiteId);
      edgeCount += tos.size;
    }
    const templates = [...this.templates.values()];
    return {
      v: LMS_PROFILE_VERSION,
      entry: this.rel(this.lp.entry.fileName),
      handler: this.handlerName,
      files: this.lp.files.map((f) => this.rel(f.fileName)),
      templates,
      cfg: { sites: this.sites, edges: edgeRecord },
      units: [...this.units.values()],
      notes: this.notes,
      stats: { files: this.lp.files.length, logCalls: this.logCalls, templates: templates.length, sites: this.sites.length, edges: edgeCount, ms: Math.round((performance.now() - t0) * 10) / 10 },
    };
  }

  /** Without the handler's code, what it prints is unknown: a graph of one unknown site stands for it. */
  private unknownHandler(): string {
    const key = '<handler not found>';
    const site = this.addSite({ kind: 'unknown', why: `handler "${this.handlerName}" not found`, file: this.rel(this.lp.entry.fileName), line: 1, fn: this.handlerName });
    this.graphs.set(key, { key, nodes: [{ kind: 'plain', succ: [1] }, { kind: 'event', site, succ: [2] }, { kind: 'end', succ: [] }], start: 0, end: 2 });
    return key;
  }

  private rel(file: string): string {
    return path.relative(this.lp.packageRoot, file).split(path.sep).join('/');
  }

  // ---- the handler -------------------------------------------------------------------------

  private findHandler(): ts.SignatureDeclaration | undefined {
    const sf = this.lp.entry;
    // a CommonJS file's module symbol is only on the node (the checker has no location for it)
    const mod = this.r.symbolOf(sf) ?? (sf as unknown as { symbol?: ts.Symbol }).symbol;
    if (!mod) {
      this.notes.push(`${this.rel(sf.fileName)} exports nothing: no handler "${this.handlerName}" (only its top-level code is analysed)`);
      return undefined;
    }
    const exports = this.lp.checker.getExportsOfModule(mod);
    const named = exports.find((s) => s.name === this.handlerName) ?? (this.handlerName === 'main' ? exports.find((s) => s.name === 'default') : undefined);
    const candidates: ts.Node[] = [...(named?.declarations ?? [])];
    const exportEq = mod.exports?.get(ts.InternalSymbolName.ExportEquals);
    if (!named && exportEq) candidates.push(...(exportEq.declarations ?? []));
    for (const d of candidates) {
      const fn = this.functionOf(d, 0);
      if (fn) return fn;
      // module.exports = { main } / module.exports = fn
      if (ts.isExportAssignment(d) || ts.isBinaryExpression(d)) {
        const value = skipOuter(ts.isExportAssignment(d) ? d.expression : d.right);
        if (ts.isObjectLiteralExpression(value)) {
          for (const p of value.properties) if (p.name && ts.isIdentifier(p.name) && p.name.text === this.handlerName) {
            const f = this.functionOf(p, 0);
            if (f) return f;
          }
        }
      }
    }
    this.notes.push(`handler "${this.handlerName}" not found among the exports of ${this.rel(sf.fileName)} (exports: ${exports.map((s) => s.name).join(', ') || 'none'}); pass the right name as options.handler`);
    return undefined;
  }

  /** The function a declaration or expression stands for, following aliases a few steps. */
  private functionOf(node: ts.Node, depth: number): ts.SignatureDeclaration | undefined {
    if (depth > 5) return undefined;
    if (ts.isFunctionLike(node)) return (node as ts.FunctionLikeDeclaration).body ? (node as ts.SignatureDeclaration) : undefined;
    if ((ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) && node.initializer) return this.functionOfExpr(node.initializer, depth);
    if (ts.isShorthandPropertyAssignment(node)) {
      const sym = this.lp.checker.getShorthandAssignmentValueSymbol(node);
      for (const d of sym?.declarations ?? []) {
        const f = this.functionOf(d, depth + 1);
        if (f) return f;
      }
      return undefined;
    }
    if (ts.isBinaryExpression(node)) return this.functionOfExpr(node.right, depth);
    if (ts.isPropertyAccessExpression(node) && ts.isBinaryExpression(node.parent) && node.parent.left === node) return this.functionOfExpr(node.parent.right, depth);
    if (ts.isExportAssignment(node)) return this.functionOfExpr(node.expression, depth);
    if (ts.isExportSpecifier(node) || ts.isImportSpecifier(node) || ts.isBindingElement(node) || ts.isImportClause(node)) {
      for (const sym of this.r.symbolChain(node.name ?? node)) {
        for (const d of sym.declarations ?? []) {
          if (d === node) continue;
          const f = this.functionOf(d, depth + 1);
          if (f) return f;
        }
      }
    }
    return undefined;
  }

  private functionOfExpr(expr: ts.Expression, depth: number): ts.SignatureDeclaration | undefined {
    const e = skipOuter(expr);
    if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return e;
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      for (const d of this.r.definitions(e).decls) {
        const f = this.functionOf(d, depth + 1);
        if (f) return f;
      }
    }
    return undefined;
  }

  // ---- BuildEnv ----------------------------------------------------------------------------

  classify(call: ts.CallExpression): LogCall | undefined {
    return this.loggers.classify(call);
  }

  calleeOf(call: ts.CallExpression | ts.NewExpression): Fn | undefined {
    if (ts.isCallExpression(call)) {
      const callee = skipOuter(call.expression);
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if ((isRequire || call.expression.kind === ts.SyntaxKind.ImportKeyword) && call.arguments.length === 1) {
        const arg = call.arguments[0]!;
        if (!ts.isStringLiteralLike(arg)) {
          if (isRequire) this.note(`dynamic require at ${this.where(call)}: not followed`);
          return undefined;
        }
        return this.localModule(arg);
      }
      if (ts.isFunctionExpression(callee) || ts.isArrowFunction(callee)) return callee; // IIFE
    }
    const target = skipOuter(call.expression);
    for (const d of this.r.definitions(target).decls) {
      if (!this.fileSet.has(d.getSourceFile())) continue;
      if (ts.isNewExpression(call) && ts.isClassLike(d)) {
        const ctor = d.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
        if (ctor) return ctor;
        continue;
      }
      const f = this.functionOf(d, 0);
      if (f && this.fileSet.has(f.getSourceFile())) return f;
    }
    return undefined;
  }

  functionValue(expr: ts.Expression): ts.SignatureDeclaration | undefined {
    let e = skipOuter(expr);
    // f.bind(this, ...) is f
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') e = skipOuter(e.expression.expression);
    if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return e;
    if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
    const f = this.functionOfExpr(e, 0);
    return f && this.fileSet.has(f.getSourceFile()) ? f : undefined;
  }

  isGlobalPromise(expr: ts.Expression): boolean {
    const e = skipOuter(expr);
    return ts.isIdentifier(e) && e.text === 'Promise' && !this.r.definitions(e).decls.some((d) => this.fileSet.has(d.getSourceFile()));
  }

  private readonly promiseCache = new Map<ts.Node, boolean>();

  returnsPromise(fn: Fn): boolean {
    if (ts.isSourceFile(fn)) return false;
    const known = this.promiseCache.get(fn);
    if (known !== undefined) return known;
    this.promiseCache.set(fn, false); // recursion guard
    const result = (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0 || returnedExpressions(fn).some((e) => this.isPromiseExpr(e));
    this.promiseCache.set(fn, result);
    return result;
  }

  private isPromiseExpr(expr: ts.Expression): boolean {
    const e = skipOuter(expr);
    if (ts.isNewExpression(e)) return this.isGlobalPromise(e.expression);
    if (!ts.isCallExpression(e)) return false;
    const callee = skipOuter(e.expression);
    if (ts.isPropertyAccessExpression(callee) && (PROMISE_METHODS.has(callee.name.text) || this.isGlobalPromise(callee.expression))) return true;
    const target = this.calleeOf(e);
    return !!target && this.returnsPromise(target);
  }

  dynamicCode(call: ts.CallExpression): string | undefined {
    const callee = skipOuter(call.expression);
    const local = (id: ts.Identifier): boolean => this.r.definitions(id).decls.some((d) => this.fileSet.has(d.getSourceFile()));
    if (ts.isIdentifier(callee) && callee.text === 'eval' && !local(callee)) return 'eval';
    const arg = call.arguments[0];
    const dynamicSpec = !!arg && !ts.isStringLiteralLike(arg);
    if (ts.isIdentifier(callee) && callee.text === 'require' && dynamicSpec && !local(callee)) return `require(${short(arg!)})`;
    if (call.expression.kind === ts.SyntaxKind.ImportKeyword && dynamicSpec) return `import(${short(arg!)})`;
    return undefined;
  }

  unknownSite(at: ts.Node, fnName: string, why: string): string {
    const { file, line } = this.position(at);
    return this.addSite({ kind: 'unknown', why, file, line, fn: fnName });
  }

  private localModule(spec: ts.StringLiteralLike): ts.SourceFile | undefined {
    const sym = this.r.symbolOf(spec);
    const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
    if (decl && ts.isSourceFile(decl) && this.fileSet.has(decl)) return decl;
    return undefined;
  }

  importedModules(sf: ts.SourceFile): ts.SourceFile[] {
    const out: ts.SourceFile[] = [];
    for (const s of sf.statements) {
      if ((ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteralLike(s.moduleSpecifier)) {
        const m = this.localModule(s.moduleSpecifier);
        if (m) out.push(m);
      }
    }
    return out;
  }

  argValues(args: readonly ts.Expression[], scope: Scope): ArgValue[][] {
    return this.values.args(args, scope);
  }

  graphFor(fn: Fn, args: ArgValue[] | undefined): { key: string; parametric: boolean } {
    const generic = this.fnKey(fn);
    if (!this.graphs.has(generic) && !this.building.has(generic)) this.build(fn, generic, undefined);
    const parametric = this.parametric.get(generic) ?? false;
    if (!parametric || !args || ts.isSourceFile(fn)) return { key: generic, parametric };
    const key = `${generic}#${createHash('sha1').update(JSON.stringify(args)).digest('hex').slice(0, 12)}`;
    if (this.graphs.has(key) || this.building.has(key)) return { key, parametric };
    const n = this.specialisations.get(generic) ?? 0;
    if (n >= MAX_SPECIALISATIONS) return { key: generic, parametric };
    this.specialisations.set(generic, n + 1);
    this.build(fn, key, args);
    return { key, parametric };
  }

  private build(fn: Fn, key: string, binding: ArgValue[] | undefined): void {
    this.building.add(key);
    const builder = new FunctionBuilder(this, { fn, binding }, this.fnName(fn));
    const graph = builder.build(key);
    this.building.delete(key);
    this.graphs.set(key, graph);
    if (!binding) this.parametric.set(key, builder.parametric);
  }

  private fnKey(fn: Fn): string {
    const sf = fn.getSourceFile();
    return ts.isSourceFile(fn) ? `${this.rel(sf.fileName)}:<module>` : `${this.rel(sf.fileName)}:${fn.getStart(sf)}`;
  }

  private fnName(fn: Fn): string {
    if (ts.isSourceFile(fn)) return '<module>';
    const sf = fn.getSourceFile();
    const own = fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name)) ? fn.name.text : undefined;
    const cls = ts.isClassLike(fn.parent) && fn.parent.name ? `${fn.parent.name.text}.` : '';
    if (ts.isConstructorDeclaration(fn)) return `${cls}constructor`;
    if (own) return cls + own;
    const p = fn.parent;
    if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name)) return p.name.text;
    if (ts.isBinaryExpression(p) && ts.isPropertyAccessExpression(p.left)) return p.left.name.text;
    return `<anonymous>@${sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line + 1}`;
  }

  logSites(call: ts.CallExpression, log: LogCall, scope: Scope, fnName: string): { sites: string[]; parametric: boolean } {
    if (!this.countedCalls.has(call)) {
      this.countedCalls.add(call);
      this.logCalls++;
    }
    const combos = this.values.args(log.args, scope);
    let parametric = false;
    const ids = new Set<string>();
    for (const args of combos.length ? combos : [[]]) {
      if (hasParams(args)) parametric = true;
      ids.add(this.template(log, args, call.getSourceFile()));
    }
    const { file, line } = this.position(call);
    const sites = [...ids].map((template) => this.addSite({ kind: 'log', template, file, line, fn: fnName }));
    return { sites, parametric };
  }

  private template(log: LogCall, args: ArgValue[], sf: ts.SourceFile): string {
    let parts: TemplatePart[];
    if (log.mode === 'inspect') parts = [{ hole: 'inspect' }];
    else if (log.mode === 'winston') parts = winstonMessage(args, !!log.splat);
    else parts = formatTemplate(args);
    if (log.prefix) parts = [{ lit: log.prefix }, ...parts];
    parts = normalizeParts(parts);
    const regex = templateRegex(parts);
    const file = this.rel(sf.fileName);
    const id = 't' + createHash('sha1').update(`${file}\0${log.sink.kind}\0${regex}`).digest('hex').slice(0, 10);
    if (!this.templates.has(id)) {
      const literalChars = parts.reduce((n, p) => n + ('lit' in p ? p.lit.length : 0), 0);
      this.templates.set(id, { id, parts, text: templateText(parts), regex, literalChars, ...(literalChars === 0 ? { wildcard: true } : {}), sink: log.sink });
    }
    return id;
  }

  markerSite(kind: 'unit-begin' | 'unit-end', loop: string, at: ts.Node, fnName: string): string {
    const { file, line } = this.position(at);
    return this.addSite({ kind, loop, file, line, fn: fnName });
  }

  private addSite(site: Omit<LmsSite, 'id'>): string {
    const id = `s${this.sites.length}`;
    this.sites.push({ id, ...site });
    return id;
  }

  unitLoop(at: ts.Node, fnName: string, io: string[], form: string, concurrent: boolean): string {
    const known = this.units.get(at);
    if (known) return known.id;
    const { file, line } = this.position(at);
    const u: UnitLoop = { id: `u${this.units.size}`, file, line, fn: fnName, io, form, ...(concurrent ? { concurrent } : {}) };
    this.units.set(at, u);
    return u.id;
  }

  ioReasons(body: ts.Node): string[] {
    const cached = this.ioCache.get(body);
    if (cached) return [...cached];
    this.ioCache.set(body, []); // recursion guard
    const reasons = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (reasons.size >= 5) return;
      if (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) reasons.add('await');
      else if (ts.isYieldExpression(n)) reasons.add('yield');
      else if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const callee = skipOuter(n.expression);
        if (ts.isIdentifier(callee) && callee.text === 'fetch' && this.r.definitions(callee).decls.length === 0) reasons.add('fetch');
        else if (!(ts.isIdentifier(callee) && callee.text === 'require')) {
          const m = this.r.moduleOf(callee);
          if (m && IO_MODULE.test(m)) reasons.add(`${m}: ${short(callee)}`);
          else if (ts.isCallExpression(n)) {
            const f = this.calleeOf(n);
            if (f && !ts.isSourceFile(f) && (f as ts.FunctionLikeDeclaration).body && this.ioReasons((f as ts.FunctionLikeDeclaration).body!).length) reasons.add(`calls ${this.fnName(f)}`);
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
    const out = [...reasons];
    this.ioCache.set(body, out);
    return [...out];
  }

  private callSitesOf(fn: ts.SignatureDeclaration): readonly ts.CallLikeExpression[] {
    if (!this.callIndex) {
      const index = new Map<ts.Node, ts.CallLikeExpression[]>();
      this.callIndex = index;
      for (const sf of this.lp.files) {
        const visit = (n: ts.Node): void => {
          if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
            const c = this.calleeOf(n);
            if (c) index.set(c, [...(index.get(c) ?? []), n]);
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
    }
    return this.callIndex.get(fn) ?? [];
  }

  private position(n: ts.Node): { file: string; line: number } {
    const sf = n.getSourceFile();
    return { file: this.rel(sf.fileName), line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 };
  }

  private where(n: ts.Node): string {
    const { file, line } = this.position(n);
    return `${file}:${line}`;
  }

  private note(text: string): void {
    if (this.notes.length < 200 && !this.notes.includes(text)) this.notes.push(text);
  }
}

/** winston: the message argument, util.format-ed with as many args as it has placeholders when splat() is on. */
function winstonMessage(args: ArgValue[], splat: boolean): TemplatePart[] {
  const [msg, ...rest] = args;
  if (!msg) return [];
  if (msg.kind !== 'str') return msg.kind === 'obj' ? [{ hole: 'text' }] : normalizeParts(stringOf(msg).map((p) => ('param' in p ? { hole: 'text' as const } : p)));
  if (!splat) return normalizeParts(msg.parts.map((p) => ('param' in p ? { hole: 'text' as const } : p)));
  let tokens = 0;
  for (const p of msg.parts) if ('lit' in p) tokens += (p.lit.match(/%[scdjifoO]/g) ?? []).length;
  // winston's splat leaves a message without placeholders alone and keeps extra args as metadata
  if (tokens === 0) return normalizeParts(msg.parts.map((p) => ('param' in p ? { hole: 'text' as const } : p)));
  return formatTemplate([msg, ...rest.slice(0, tokens)]);
}

/** Methods whose result is a promise, whatever they are called on. */
const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/** What a function can return: its return statements' expressions (not those of nested functions) and an arrow's expression body. */
function returnedExpressions(fn: ts.SignatureDeclaration): ts.Expression[] {
  const body = (fn as ts.FunctionLikeDeclaration).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

/** `module.exports`, `exports`, or a property of either: what a module hands to whoever loads it. */
function isExportTarget(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) return x.text === 'exports';
  if (ts.isPropertyAccessExpression(x)) return (ts.isIdentifier(x.expression) && x.expression.text === 'module' && x.name.text === 'exports') || isExportTarget(x.expression);
  return false;
}

/** The value of `n` is exported (assigned to exports, or part of an object literal that is). */
function isExported(n: ts.Node): boolean {
  let v: ts.Node = n;
  for (;;) {
    const p = v.parent;
    if (!p) return false;
    if (ts.isParenthesizedExpression(p) || ts.isObjectLiteralExpression(p) || ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) v = p;
    else return (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === v && isExportTarget(p.left)) || ts.isExportAssignment(p);
  }
}

/**
 * Local functions kept as values where a later call cannot be resolved (stored in an object or an
 * array, returned, assigned to a property, chosen by a condition): whoever calls them does so at a
 * time the analyser cannot know, so their sites are deferred. Functions handed to calls are the
 * builder's business, and exports are called by the runtime (the handler) or resolved directly.
 */
function findEscapedFunctions(files: readonly ts.SourceFile[], functionValue: (e: ts.Expression) => ts.SignatureDeclaration | undefined): ts.SignatureDeclaration[] {
  const out = new Set<ts.SignatureDeclaration>();
  const escapes = (n: ts.Node): boolean => {
    let v: ts.Node = n;
    while (ts.isParenthesizedExpression(v.parent) || ts.isAsExpression(v.parent)) v = v.parent;
    const p = v.parent;
    if (isExported(v)) return false;
    if (ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p) || ts.isReturnStatement(p) || ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isConditionalExpression(p) || ts.isYieldExpression(p)) return true;
    if (ts.isArrowFunction(p) && p.body === v) return true;
    if (ts.isBinaryExpression(p) && p.right === v) {
      const k = p.operatorToken.kind;
      if (k === ts.SyntaxKind.EqualsToken) return !ts.isIdentifier(skipOuter(p.left));
      return k === ts.SyntaxKind.BarBarToken || k === ts.SyntaxKind.QuestionQuestionToken || k === ts.SyntaxKind.AmpersandAmpersandToken;
    }
    if (ts.isBinaryExpression(p) && p.left === v) return p.operatorToken.kind === ts.SyntaxKind.BarBarToken || p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken;
    return false;
  };
  for (const sf of files) {
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) {
        if (escapes(n)) {
          const f = functionValue(n as ts.Expression);
          if (f) out.add(f);
        }
      } else if (ts.isMethodDeclaration(n) && ts.isObjectLiteralExpression(n.parent) && n.body && !isExported(n.parent)) {
        out.add(n); // a method of an object literal may be picked by a computed key
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return [...out];
}

function bySiteId(a: string, b: string): number {
  const na = Number(a.slice(1));
  const nb = Number(b.slice(1));
  if (Number.isNaN(na) || Number.isNaN(nb)) return a < b ? -1 : a > b ? 1 : 0;
  return na - nb;
}

function short(e: ts.Node): string {
  const t = e.getText().replace(/\s+/g, ' ');
  return t.length > 50 ? t.slice(0, 47) + '...' : t;
}
