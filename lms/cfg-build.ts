// Builds one function's graph (graph.ts) from its TypeScript AST: statements in order, branches,
// loops (with unit boundaries when the loop does I/O), switch, try/catch/finally, early
// return/throw/break/continue, short-circuit and conditional expressions, logging calls (event
// nodes) and calls into local functions (call nodes). Callbacks (inline or local functions passed by
// name) run where their callee says: array iteration methods call them here, zero or more times
// (async ones of map/forEach concurrently); `new Promise(executor)` runs the executor once, here;
// any other callee (a library, `.then`, `.on`, `setTimeout`) may call them at any later time, so
// their sites are deferred. A promise-returning local function called without `await`/`return`
// goes on after the caller moved on: deferred too. Code the analyser cannot read (eval, a dynamic
// require) is an unknown site.
import ts from 'typescript';
import type { ArgValue } from './format-model';
import type { FnGraph, GNode } from './graph';
import type { LogCall } from './loggers';
import { skipOuter } from './resolve';
import type { Scope } from './values';

/** What the builder needs from the analysis around it. */
export interface BuildEnv {
  classify(call: ts.CallExpression): LogCall | undefined;
  /** local function (or module top level, for require/import of a local file) a call reaches */
  calleeOf(call: ts.CallExpression | ts.NewExpression): ts.SignatureDeclaration | ts.SourceFile | undefined;
  /** argument alternatives of a call, in the caller's scope */
  argValues(args: readonly ts.Expression[], scope: Scope): ArgValue[][];
  /** key of the graph to call for (fn, args): a specialisation when fn is a logging helper */
  graphFor(fn: ts.SignatureDeclaration | ts.SourceFile, args: ArgValue[] | undefined): { key: string; parametric: boolean };
  /** the log sites (one per template alternative) for a logging call; parametric: it used the scope's parameters */
  logSites(call: ts.CallExpression, log: LogCall, scope: Scope, fnName: string): { sites: string[]; parametric: boolean };
  markerSite(kind: 'unit-begin' | 'unit-end', loop: string, at: ts.Node, fnName: string): string;
  /** why a loop body is a unit (I/O it does), empty when it is not */
  ioReasons(body: ts.Node): string[];
  unitLoop(at: ts.Node, fnName: string, io: string[], form: string, concurrent: boolean): string;
  /** local files imported for their side effects by an ES module, in order */
  importedModules(sf: ts.SourceFile): ts.SourceFile[];
  /** the local function an expression evaluates to (a function expression, or a name bound to one) */
  functionValue(expr: ts.Expression): ts.SignatureDeclaration | undefined;
  /** the expression is the global Promise (not a local binding of that name) */
  isGlobalPromise(expr: ts.Expression): boolean;
  /** the function returns a promise: async, or it returns `new Promise`, `.then(...)` or another such call */
  returnsPromise(fn: ts.SignatureDeclaration | ts.SourceFile): boolean;
  /** why the call runs code the analyser cannot read (eval, dynamic require/import), or undefined */
  dynamicCode(call: ts.CallExpression): string | undefined;
  unknownSite(at: ts.Node, fnName: string, why: string): string;
}

interface Jump {
  label?: string;
  node: number;
  /** unit loops left when jumping here (their unit-end markers come first) */
  units: number;
}

interface Ctx {
  breaks: Jump[];
  continues: Jump[];
  returnTarget: number;
  throwTarget: number;
  /** enclosing unit loops, innermost last */
  units: string[];
  pendingLabel?: string;
}

const ARRAY_ITERATION = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex']);

export class FunctionBuilder {
  private readonly nodes: GNode[] = [];
  /** the function is a logging helper: some log text depends on its parameters */
  parametric = false;

  constructor(
    private readonly env: BuildEnv,
    private readonly scope: Scope,
    private readonly fnName: string,
  ) {}

  build(key: string): FnGraph {
    const start = this.node({ kind: 'plain', succ: [] });
    const end = this.node({ kind: 'end', succ: [] });
    const ctx: Ctx = { breaks: [], continues: [], returnTarget: end, throwTarget: end, units: [] };
    const fn = this.scope.fn;
    let frontier = [start];
    if (ts.isSourceFile(fn)) {
      for (const m of this.env.importedModules(fn)) frontier = [this.call(this.env.graphFor(m, undefined).key, frontier)];
      frontier = this.stmts(fn.statements, frontier, ctx);
    } else {
      const body = (fn as ts.FunctionLikeDeclaration).body;
      for (const p of (fn as ts.SignatureDeclaration).parameters) if (p.initializer) frontier = this.expr(p.initializer, frontier, ctx);
      if (body && ts.isBlock(body)) frontier = this.stmts(body.statements, frontier, ctx);
      else if (body) frontier = this.expr(body, frontier, ctx);
    }
    this.connect(frontier, end);
    return { key, nodes: this.nodes, start, end };
  }

  private node(n: GNode): number {
    this.nodes.push(n);
    return this.nodes.length - 1;
  }

  private connect(from: readonly number[], to: number): void {
    for (const f of from) if (!this.nodes[f]!.succ.includes(to)) this.nodes[f]!.succ.push(to);
  }

  private plain(from: readonly number[]): number {
    const n = this.node({ kind: 'plain', succ: [] });
    this.connect(from, n);
    return n;
  }

  private call(callee: string, from: readonly number[], parallel = false): number {
    const n = this.node({ kind: 'call', callee, parallel, succ: [] });
    this.connect(from, n);
    return n;
  }

  private event(site: string, from: readonly number[]): number {
    const n = this.node({ kind: 'event', site, succ: [] });
    this.connect(from, n);
    return n;
  }

  /** unit-end markers for the innermost `count` unit loops, then the target */
  private leaveUnits(from: number[], ctx: Ctx, count: number, at: ts.Node): number[] {
    let f = from;
    for (let i = ctx.units.length - 1; i >= ctx.units.length - count; i--) {
      f = [this.event(this.env.markerSite('unit-end', ctx.units[i]!, at, this.fnName), f)];
    }
    return f;
  }

  private stmts(list: readonly ts.Statement[], from: number[], ctx: Ctx): number[] {
    let f = from;
    for (const s of list) f = this.stmt(s, f, ctx);
    return f;
  }

  private stmt(s: ts.Statement, from: number[], ctx: Ctx): number[] {
    const label = ctx.pendingLabel;
    ctx.pendingLabel = undefined;
    if (ts.isBlock(s)) return this.stmts(s.statements, from, ctx);
    if (ts.isExpressionStatement(s)) return this.expr(s.expression, from, ctx);
    if (ts.isVariableStatement(s)) {
      let f = from;
      for (const d of s.declarationList.declarations) if (d.initializer) f = this.expr(d.initializer, f, ctx);
      return f;
    }
    if (ts.isIfStatement(s)) {
      const c = this.expr(s.expression, from, ctx);
      const t = this.stmt(s.thenStatement, c, ctx);
      const e = s.elseStatement ? this.stmt(s.elseStatement, c, ctx) : c;
      return uniq([...t, ...e]);
    }
    if (ts.isReturnStatement(s)) {
      let f = s.expression ? this.expr(s.expression, from, ctx) : from;
      f = this.leaveUnits(f, ctx, ctx.units.length, s);
      this.connect(f, ctx.returnTarget);
      return [];
    }
    if (ts.isThrowStatement(s)) {
      let f = this.expr(s.expression, from, ctx);
      if (ctx.throwTarget === ctx.returnTarget) f = this.leaveUnits(f, ctx, ctx.units.length, s);
      this.connect(f, ctx.throwTarget);
      return [];
    }
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) {
      const targets = ts.isBreakStatement(s) ? ctx.breaks : ctx.continues;
      const want = s.label?.text;
      for (let i = targets.length - 1; i >= 0; i--) {
        const t = targets[i]!;
        if (want ? t.label === want : true) {
          const f = this.leaveUnits(from, ctx, ctx.units.length - t.units, s);
          this.connect(f, t.node);
          break;
        }
      }
      return [];
    }
    if (ts.isLabeledStatement(s)) {
      const isLoop = ts.isIterationStatement(s.statement, false);
      if (isLoop) {
        ctx.pendingLabel = s.label.text;
        return this.stmt(s.statement, from, ctx);
      }
      const after = this.node({ kind: 'plain', succ: [] });
      ctx.breaks.push({ label: s.label.text, node: after, units: ctx.units.length });
      const f = this.stmt(s.statement, from, ctx);
      ctx.breaks.pop();
      this.connect(f, after);
      return [after];
    }
    if (ts.isIterationStatement(s, false)) return this.loop(s, from, ctx, label);
    if (ts.isSwitchStatement(s)) {
      const c = this.expr(s.expression, from, ctx);
      const after = this.node({ kind: 'plain', succ: [] });
      ctx.breaks.push({ label, node: after, units: ctx.units.length });
      let fall: number[] = [];
      let hasDefault = false;
      for (const clause of s.caseBlock.clauses) {
        let entry = c;
        if (ts.isCaseClause(clause)) entry = this.expr(clause.expression, c, ctx);
        else hasDefault = true;
        fall = this.stmts(clause.statements, uniq([...entry, ...fall]), ctx);
      }
      ctx.breaks.pop();
      this.connect(fall, after);
      if (!hasDefault) this.connect(c, after);
      return [after];
    }
    if (ts.isTryStatement(s)) return this.tryStmt(s, from, ctx);
    if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) {
      return from; // declarations run nothing here; their bodies are functions of their own
    }
    if (ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isImportEqualsDeclaration(s)) return from;
    if (ts.isExportAssignment(s)) return this.expr(s.expression, from, ctx);
    let f = from;
    ts.forEachChild(s, (c) => {
      if (ts.isExpression(c)) f = this.expr(c, f, ctx);
      else if (ts.isStatement(c)) f = this.stmt(c, f, ctx);
    });
    return f;
  }

  private loop(s: ts.IterationStatement, from: number[], ctx: Ctx, label: string | undefined): number[] {
    let f = from;
    if (ts.isForStatement(s) && s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) {
        for (const d of s.initializer.declarations) if (d.initializer) f = this.expr(d.initializer, f, ctx);
      } else f = this.expr(s.initializer, f, ctx);
    }
    if (ts.isForOfStatement(s) || ts.isForInStatement(s)) f = this.expr(s.expression, f, ctx);
    const io = this.env.ioReasons(s.statement);
    if (ts.isForOfStatement(s) && s.awaitModifier) io.unshift('for await');
    const form = ts.isForOfStatement(s) ? 'for-of' : ts.isForInStatement(s) ? 'for-in' : ts.isForStatement(s) ? 'for' : ts.isWhileStatement(s) ? 'while' : 'do';
    const unit = io.length > 0 ? this.env.unitLoop(s, this.fnName, io, form, false) : undefined;

    const head = this.plain(f);
    const exit = this.node({ kind: 'plain', succ: [] });
    // for/while test the condition at the head; do-while runs the body first and tests after it
    let cond: number[] = [head];
    if (ts.isWhileStatement(s)) cond = this.expr(s.expression, [head], ctx);
    else if (ts.isForStatement(s) && s.condition) cond = this.expr(s.condition, [head], ctx);
    const continueNode = this.node({ kind: 'plain', succ: [] });
    ctx.breaks.push({ label, node: exit, units: ctx.units.length });
    // continue goes to the end of the iteration, where the unit-end marker already is
    ctx.continues.push({ label, node: continueNode, units: ctx.units.length + (unit ? 1 : 0) });
    let bodyStart = cond;
    if (unit) {
      bodyStart = [this.event(this.env.markerSite('unit-begin', unit, s, this.fnName), cond)];
      ctx.units.push(unit);
    }
    const bodyEnd = this.stmt(s.statement, bodyStart, ctx);
    this.connect(bodyEnd, continueNode);
    let next: number[] = [continueNode];
    if (unit) {
      ctx.units.pop();
      next = [this.event(this.env.markerSite('unit-end', unit, s, this.fnName), next)];
    }
    ctx.breaks.pop();
    ctx.continues.pop();
    if (ts.isForStatement(s) && s.incrementor) next = this.expr(s.incrementor, next, ctx);
    if (ts.isDoStatement(s)) {
      const c = this.expr(s.expression, next, ctx);
      this.connect(c, head);
      this.connect(c, exit);
    } else {
      this.connect(next, head);
      this.connect(cond, exit);
    }
    return [exit];
  }

  private tryStmt(s: ts.TryStatement, from: number[], ctx: Ctx): number[] {
    const finallyAbrupt = s.finallyBlock ? this.node({ kind: 'plain', succ: [] }) : undefined;
    const catchEntry = s.catchClause ? this.node({ kind: 'plain', succ: [] }) : undefined;
    const saved = { returnTarget: ctx.returnTarget, throwTarget: ctx.throwTarget };
    if (finallyAbrupt !== undefined) ctx.returnTarget = finallyAbrupt;
    ctx.throwTarget = catchEntry ?? finallyAbrupt ?? ctx.throwTarget;
    const firstNode = this.nodes.length;
    const tryEnd = this.stmt(s.tryBlock, from, ctx);
    // anything in the try block may throw after it ran: every node there can reach the catch
    if (catchEntry !== undefined) {
      this.connect(from, catchEntry);
      for (let i = firstNode; i < this.nodes.length; i++) if (i !== catchEntry && i !== finallyAbrupt) this.connect([i], catchEntry);
    }
    ctx.throwTarget = finallyAbrupt ?? saved.throwTarget;
    const catchEnd = catchEntry !== undefined ? this.stmt(s.catchClause!.block, [catchEntry], ctx) : [];
    ctx.returnTarget = saved.returnTarget;
    ctx.throwTarget = saved.throwTarget;
    if (!s.finallyBlock) return uniq([...tryEnd, ...catchEnd]);
    // finally twice: after normal completion, and on the way out of a return/throw
    const normal = this.stmt(s.finallyBlock, [...tryEnd, ...catchEnd], ctx);
    const abrupt = this.stmt(s.finallyBlock, [finallyAbrupt!], ctx);
    this.connect(abrupt, ctx.returnTarget);
    if (ctx.throwTarget !== ctx.returnTarget) this.connect(abrupt, ctx.throwTarget);
    return normal;
  }

  /** Nodes for an expression, in evaluation order; returns the frontier after it. */
  private expr(e: ts.Node, from: number[], ctx: Ctx): number[] {
    if (ts.isFunctionLike(e) || ts.isClassLike(e)) return from; // defined here, run elsewhere
    if (ts.isCallExpression(e)) return this.callExpr(e, from, ctx);
    if (ts.isNewExpression(e)) {
      let f = this.expr(e.expression, from, ctx);
      const callbacks: ts.SignatureDeclaration[] = [];
      for (const a of e.arguments ?? []) {
        f = this.expr(a, f, ctx);
        const cb = this.env.functionValue(a);
        if (cb) callbacks.push(cb);
      }
      const callee = this.env.calleeOf(e);
      if (callee) f = [this.call(this.env.graphFor(callee, undefined).key, f)];
      const executor = this.env.isGlobalPromise(e.expression) && e.arguments?.length ? this.env.functionValue(e.arguments[0]!) : undefined;
      for (const cb of callbacks) {
        // the Promise constructor calls its executor once, synchronously, before it returns
        if (cb === executor) f = [this.call(this.env.graphFor(cb, undefined).key, f)];
        else f = this.deferredCallback(cb, f);
      }
      return f;
    }
    if (ts.isConditionalExpression(e)) {
      const c = this.expr(e.condition, from, ctx);
      return uniq([...this.expr(e.whenTrue, c, ctx), ...this.expr(e.whenFalse, c, ctx)]);
    }
    if (ts.isBinaryExpression(e) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken].includes(e.operatorToken.kind)) {
      const l = this.expr(e.left, from, ctx);
      return uniq([...l, ...this.expr(e.right, l, ctx)]);
    }
    let f = from;
    ts.forEachChild(e, (c) => {
      f = this.expr(c, f, ctx);
    });
    return f;
  }

  private callExpr(call: ts.CallExpression, from: number[], ctx: Ctx): number[] {
    const callee = skipOuter(call.expression);
    let f = from;
    if (!ts.isFunctionLike(callee)) f = this.expr(call.expression, f, ctx);
    const callbacks: ts.SignatureDeclaration[] = [];
    for (const a of call.arguments) {
      f = this.expr(a, f, ctx); // a function expression runs nothing here
      const cb = this.env.functionValue(a);
      if (cb) callbacks.push(cb);
    }
    const dynamic = this.env.dynamicCode(call);
    if (dynamic) f = [this.event(this.env.unknownSite(call, this.fnName, dynamic), f)];
    // a call into the project's own code is followed, even when its name looks like a logger's
    const target = this.env.calleeOf(call);
    const log = target ? undefined : this.env.classify(call);
    if (log) {
      const { sites, parametric } = this.env.logSites(call, log, this.scope, this.fnName);
      if (parametric) this.parametric = true;
      f = sites.map((site) => this.event(site, f));
    } else {
      if (target) {
        const combos = ts.isSourceFile(target) ? [undefined] : this.env.argValues(call.arguments, this.scope);
        const next: number[] = [];
        // a promise nobody waits for settles after the caller moved on, and a generator's body runs
        // as its consumer pulls: their lines come any time from here on (or never)
        const generator = !ts.isSourceFile(target) && !!(target as ts.FunctionLikeDeclaration).asteriskToken;
        const deferred = generator || (this.env.returnsPromise(target) && !awaitedOrReturned(call));
        for (const args of combos.length ? combos : [undefined]) {
          const g = this.env.graphFor(target, args);
          if (g.parametric && args && args.some(refersToParams)) this.parametric = true;
          const n = this.call(g.key, f);
          if (deferred) (this.nodes[n] as { deferred?: boolean }).deferred = true;
          next.push(n);
        }
        f = deferred ? uniq([...f, ...next]) : next;
      }
    }
    // a function given to a logger is printed, not called
    if (!log) for (const cb of callbacks) f = this.callback(call, cb, f);
    return f;
  }

  /**
   * A callback handed to a call. Array iteration methods run it here, zero or more times (a unit
   * loop when it does I/O); anything else may run it at any later time (deferred).
   */
  private callback(call: ts.CallExpression, cb: ts.SignatureDeclaration, from: number[]): number[] {
    const key = this.env.graphFor(cb, undefined).key;
    const method = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : '';
    if (!ARRAY_ITERATION.has(method)) return this.deferredCallback(cb, from);
    const isAsync = !!ts.getCombinedModifierFlags(cb as ts.Declaration) && (ts.getCombinedModifierFlags(cb as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
    if (ARRAY_ITERATION.has(method)) {
      const io = this.env.ioReasons(cb);
      if (isAsync && (method === 'forEach' || method === 'map' || method === 'flatMap')) {
        // iterations start together and interleave at each await: logs come in any order
        if (io.length) this.env.unitLoop(call, this.fnName, io, method, true);
        const n = this.call(key, from, true);
        return uniq([...from, n]);
      }
      if (io.length) {
        const unit = this.env.unitLoop(call, this.fnName, io, method, false);
        const head = this.plain(from);
        const begin = this.event(this.env.markerSite('unit-begin', unit, call, this.fnName), [head]);
        const c = this.call(key, [begin]);
        const end = this.event(this.env.markerSite('unit-end', unit, call, this.fnName), [c]);
        this.connect([end], head);
        return [head];
      }
    }
    const head = this.plain(from);
    const c = this.call(key, [head]);
    this.connect([c], head);
    return [head];
  }

  /** Zero or more runs placed here (so the graph shows where it was handed over), marked deferred. */
  private deferredCallback(cb: ts.SignatureDeclaration, from: number[]): number[] {
    const head = this.plain(from);
    const c = this.call(this.env.graphFor(cb, undefined).key, [head]);
    (this.nodes[c] as { deferred?: boolean }).deferred = true;
    this.connect([c], head);
    return [head];
  }
}

/** `await f()`, `return f()`, `() => f()`, `yield f()`: whoever called us waits for the promise (or gets it). */
function awaitedOrReturned(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  return ts.isAwaitExpression(p) || ts.isReturnStatement(p) || ts.isYieldExpression(p) || (ts.isArrowFunction(p) && p.body === n);
}

function refersToParams(a: ArgValue): boolean {
  return a.kind === 'param' || a.kind === 'rest' || (a.kind === 'str' && a.parts.some((p) => 'param' in p));
}

function uniq(xs: number[]): number[] {
  return [...new Set(xs)];
}
