// Symbol-level questions the analyser asks about an expression, answered with the TypeScript
// checker: which declarations a name reaches (through require/import aliases across local files),
// which external module a value comes from (fs, winston, @aws-sdk/...), and what kind of value it is.
import ts from 'typescript';

export type ValueKind = 'str' | 'num' | 'bool' | 'obj' | 'any';

export class Resolver {
  /** assignments `x = e` / `this.x = e` by the symbol assigned, from every local file */
  private readonly assigned = new Map<ts.Symbol, ts.Expression[]>();
  private readonly moduleCache = new Map<ts.Node, string | null>();

  constructor(
    readonly checker: ts.TypeChecker,
    files: readonly ts.SourceFile[],
  ) {
    for (const sf of files) this.indexAssignments(sf);
  }

  private indexAssignments(node: ts.Node): void {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = ts.isPropertyAccessExpression(node.left) ? node.left.name : node.left;
      const sym = this.symbolOf(target);
      if (sym) {
        const list = this.assigned.get(sym) ?? [];
        list.push(node.right);
        this.assigned.set(sym, list);
      }
    }
    ts.forEachChild(node, (c) => this.indexAssignments(c));
  }

  symbolOf(node: ts.Node): ts.Symbol | undefined {
    try {
      return this.checker.getSymbolAtLocation(node);
    } catch {
      return undefined; // the checker can fail on odd JS; the analyser then knows less, nothing more
    }
  }

  /** Every symbol a name reaches, following import/require aliases (the name's own symbol first). */
  symbolChain(node: ts.Node): ts.Symbol[] {
    const chain: ts.Symbol[] = [];
    let sym = this.symbolOf(ts.isPropertyAccessExpression(node) ? node.name : node);
    while (sym && !chain.includes(sym)) {
      chain.push(sym);
      if (!(sym.flags & ts.SymbolFlags.Alias)) break;
      try {
        sym = this.checker.getAliasedSymbol(sym);
      } catch {
        break;
      }
    }
    return chain;
  }

  /** Declarations of what a name reaches, plus the right-hand sides assigned to it later. */
  definitions(node: ts.Node): { decls: ts.Declaration[]; assigned: ts.Expression[] } {
    const decls: ts.Declaration[] = [];
    const assigned: ts.Expression[] = [];
    for (const sym of this.symbolChain(node)) {
      decls.push(...(sym.declarations ?? []));
      assigned.push(...(this.assigned.get(sym) ?? []));
    }
    return { decls, assigned };
  }

  /** Expressions that can be the value of a name: initialisers, assigned values, exported expressions. */
  valuesOf(node: ts.Node): ts.Expression[] {
    const { decls, assigned } = this.definitions(node);
    const out: ts.Expression[] = [...assigned];
    for (const d of decls) {
      if (ts.isVariableDeclaration(d) && d.initializer) out.push(d.initializer);
      else if ((ts.isPropertyAssignment(d) || ts.isPropertyDeclaration(d)) && d.initializer) out.push(d.initializer);
      else if (ts.isShorthandPropertyAssignment(d)) {
        // `{ logger }`: the value is the variable named logger, not the property
        const v = this.checker.getShorthandAssignmentValueSymbol(d);
        for (const vd of v?.declarations ?? []) if (ts.isVariableDeclaration(vd) && vd.initializer) out.push(vd.initializer);
        out.push(...((v && this.assigned.get(v)) ?? []));
      }
      else if (ts.isBinaryExpression(d)) out.push(d.right);
      else if (ts.isExportAssignment(d)) out.push(d.expression);
      else if (ts.isPropertyAccessExpression(d) && ts.isBinaryExpression(d.parent) && d.parent.left === d) out.push(d.parent.right);
    }
    return out;
  }

  /**
   * The external module (and member) a name is bound to: `const fs = require('fs')`,
   * `import { createLogger } from 'winston'`, `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb')`.
   */
  importOf(node: ts.Node): { module: string; member?: string } | undefined {
    const found = this.importOfAny(node);
    // local modules are followed through their declarations instead
    return found && !found.module.startsWith('.') && !found.module.startsWith('/') ? found : undefined;
  }

  private importOfAny(node: ts.Node): { module: string; member?: string } | undefined {
    for (const d of this.definitions(node).decls) {
      if (ts.isImportClause(d) || ts.isNamespaceImport(d) || ts.isImportSpecifier(d)) {
        const imp = findAncestor(d, ts.isImportDeclaration);
        if (imp && ts.isStringLiteral(imp.moduleSpecifier)) {
          const member = ts.isImportSpecifier(d) ? (d.propertyName ?? d.name).text : ts.isImportClause(d) ? 'default' : undefined;
          return { module: imp.moduleSpecifier.text, member };
        }
      }
      if (ts.isImportEqualsDeclaration(d) && ts.isExternalModuleReference(d.moduleReference) && ts.isStringLiteral(d.moduleReference.expression)) {
        return { module: d.moduleReference.expression.text };
      }
      if (ts.isVariableDeclaration(d) && d.initializer) {
        const m = requiredModule(d.initializer);
        if (m) return m;
      }
      if (ts.isBindingElement(d) && ts.isObjectBindingPattern(d.parent) && ts.isVariableDeclaration(d.parent.parent) && d.parent.parent.initializer) {
        const m = requiredModule(d.parent.parent.initializer);
        const key = d.propertyName && ts.isIdentifier(d.propertyName) ? d.propertyName.text : ts.isIdentifier(d.name) ? d.name.text : undefined;
        if (m) return { module: m.module, member: key };
      }
    }
    return undefined;
  }

  /** The external module an expression's value comes from (through variables, calls, `new`, members). */
  moduleOf(expr: ts.Expression, depth = 0): string | undefined {
    const cached = this.moduleCache.get(expr);
    if (cached !== undefined) return cached ?? undefined;
    this.moduleCache.set(expr, null); // cycle guard
    const m = depth > 8 ? undefined : this.computeModuleOf(expr, depth);
    this.moduleCache.set(expr, m ?? null);
    return m;
  }

  private computeModuleOf(expr: ts.Expression, depth: number): string | undefined {
    const e = skipOuter(expr);
    const req = requiredModule(e);
    if (req && !req.module.startsWith('.') && !req.module.startsWith('/')) return req.module;
    if (ts.isIdentifier(e) || (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword)) {
      const imp = this.importOf(e);
      if (imp) return imp.module;
      for (const v of this.valuesOf(e)) {
        const m = this.moduleOf(v, depth + 1);
        if (m) return m;
      }
      return undefined;
    }
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return this.moduleOf(e.expression, depth + 1);
    if (ts.isCallExpression(e) || ts.isNewExpression(e)) return this.moduleOf(e.expression, depth + 1);
    if (ts.isAwaitExpression(e)) return this.moduleOf(e.expression, depth + 1);
    return undefined;
  }

  /** What the checker knows of an expression's type, reduced to what util.format cares about. */
  kindOf(expr: ts.Expression): ValueKind {
    let t: ts.Type;
    try {
      t = this.checker.getTypeAtLocation(expr);
    } catch {
      return 'any';
    }
    const f = t.flags;
    if (f & ts.TypeFlags.StringLike) return 'str';
    if (f & (ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) return 'num';
    if (f & ts.TypeFlags.BooleanLike) return 'bool';
    if (t.isUnion()) {
      const kinds = new Set(t.types.map((u) => (u.flags & ts.TypeFlags.StringLike ? 'str' : u.flags & ts.TypeFlags.NumberLike ? 'num' : u.flags & ts.TypeFlags.BooleanLike ? 'bool' : 'other')));
      if (kinds.size === 1 && !kinds.has('other')) return [...kinds][0] as ValueKind;
    }
    if (f & ts.TypeFlags.Object && !(f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return 'obj';
    return 'any';
  }
}

/** `require('m')`, `require('m').x`, `require('m')(...)` -> the module and member. */
export function requiredModule(expr: ts.Expression): { module: string; member?: string } | undefined {
  const e = skipOuter(expr);
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments.length === 1) {
    const a = e.arguments[0]!;
    if (ts.isStringLiteralLike(a)) return { module: a.text };
    return undefined;
  }
  if (ts.isPropertyAccessExpression(e)) {
    const inner = requiredModule(e.expression);
    if (inner && !inner.member) return { module: inner.module, member: e.name.text };
  }
  if (ts.isCallExpression(e)) {
    const inner = requiredModule(e.expression);
    if (inner) return { module: inner.module, member: inner.member ?? '()' };
  }
  return undefined;
}

export function skipOuter(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else return e;
  }
}

export function findAncestor<T extends ts.Node>(node: ts.Node, test: (n: ts.Node) => n is T): T | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (test(n)) return n;
  return undefined;
}
