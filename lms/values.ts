// Turns a TypeScript expression into the analyser's static value model (ArgValue): literal text
// where it is known (string literals, template literals, concatenations, constants), typed holes
// where it is not, and references to the enclosing helper's parameters so each call site of a
// logging helper gets its own template.
import ts from 'typescript';
import type { ArgValue, StrPart } from './format-model';
import { argAt, stringOf } from './format-model';
import { Resolver, skipOuter } from './resolve';

/** The function being analysed and, for a specialised helper, the values of its parameters. */
export interface Scope {
  fn: ts.Node;
  binding?: ArgValue[];
}

/** Up to this many alternative values (c ? 'a' : 'b') are kept; more become one unknown. */
const MAX_ALTERNATIVES = 8;

export class ValueModel {
  constructor(private readonly r: Resolver) {}

  /** The alternatives an expression can evaluate to (usually one). */
  values(expr: ts.Expression, scope: Scope, depth = 0): ArgValue[] {
    const e = skipOuter(expr);
    if (depth > 16) return [this.typed(e)];
    if (ts.isStringLiteralLike(e)) return [{ kind: 'str', parts: [{ lit: e.text }] }];
    if (ts.isNumericLiteral(e)) return [{ kind: 'known', text: String(Number(e.text.replace(/_/g, ''))) }];
    if (ts.isBigIntLiteral(e)) return [{ kind: 'num', expr: e.text }];
    if (e.kind === ts.SyntaxKind.TrueKeyword) return [{ kind: 'known', text: 'true' }];
    if (e.kind === ts.SyntaxKind.FalseKeyword) return [{ kind: 'known', text: 'false' }];
    if (e.kind === ts.SyntaxKind.NullKeyword) return [{ kind: 'known', text: 'null' }];
    if (ts.isIdentifier(e) && e.text === 'undefined') return [{ kind: 'known', text: 'undefined' }];
    if (ts.isTemplateExpression(e)) return this.template(e, scope, depth);
    if (ts.isConditionalExpression(e)) return cap([...this.values(e.whenTrue, scope, depth + 1), ...this.values(e.whenFalse, scope, depth + 1)], e);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return this.plus(e, scope, depth);
    if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e) || ts.isFunctionExpression(e) || ts.isArrowFunction(e) || ts.isRegularExpressionLiteral(e) || ts.isClassExpression(e)) {
      return [{ kind: 'obj', expr: short(e) }];
    }
    if (ts.isNewExpression(e)) return [{ kind: 'obj', expr: short(e) }];
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) {
      const v = -Number(e.operand.text.replace(/_/g, ''));
      // -0 prints as "-0" through util.format but "0" through String(): leave it a number hole
      return [Object.is(v, -0) ? { kind: 'num', expr: '-0' } : { kind: 'known', text: String(v) }];
    }
    if (isNumeric(e)) return [{ kind: 'num', expr: short(e) }];
    if (ts.isIdentifier(e)) {
      const p = this.paramIndex(e, scope);
      if (p !== undefined && isRestParam(scope.fn, p)) return [{ kind: 'obj', expr: e.text }]; // the rest array itself
      if (p !== undefined) return [scope.binding ? argAt(scope.binding, p) : { kind: 'param', index: p }];
      const constant = this.constantInit(e);
      if (constant) return this.values(constant, scope, depth + 1);
    }
    return [this.typed(e)];
  }

  /** Arguments of a call, with spreads of a rest parameter kept as such. */
  args(list: readonly ts.Expression[], scope: Scope): ArgValue[][] {
    let combos: ArgValue[][] = [[]];
    for (const a of list) {
      let alts: ArgValue[];
      if (ts.isSpreadElement(a)) {
        const inner = skipOuter(a.expression);
        const p = ts.isIdentifier(inner) ? this.paramIndex(inner, scope) : undefined;
        if (p !== undefined && isRestParam(scope.fn, p)) {
          if (scope.binding) {
            // a specialised helper: its rest parameter is the call site's remaining arguments
            const rest = scope.binding.slice(p);
            combos = combos.map((c) => [...c, ...rest]);
            continue;
          }
          alts = [{ kind: 'rest', index: p }];
        } else alts = [{ kind: 'spread', expr: short(a) }];
      } else alts = this.values(a, scope);
      const next: ArgValue[][] = [];
      for (const c of combos) for (const v of alts) next.push([...c, v]);
      combos = next.slice(0, MAX_ALTERNATIVES);
    }
    return combos;
  }

  private template(e: ts.TemplateExpression, scope: Scope, depth: number): ArgValue[] {
    let combos: StrPart[][] = [[{ lit: e.head.text }]];
    for (const span of e.templateSpans) {
      const alts = this.values(span.expression, scope, depth + 1);
      const next: StrPart[][] = [];
      for (const c of combos) for (const v of alts) next.push([...c, ...stringOf(v), { lit: span.literal.text }]);
      combos = next.slice(0, MAX_ALTERNATIVES);
    }
    return combos.map((parts) => ({ kind: 'str', parts }));
  }

  private plus(e: ts.BinaryExpression, scope: Scope, depth: number): ArgValue[] {
    const left = this.values(e.left, scope, depth + 1);
    const right = this.values(e.right, scope, depth + 1);
    const out: ArgValue[] = [];
    for (const l of left) {
      for (const r of right) {
        const stringy = l.kind === 'str' || r.kind === 'str';
        if (stringy) out.push({ kind: 'str', parts: [...stringOf(l), ...stringOf(r)] });
        else if ((l.kind === 'num' || l.kind === 'known') && (r.kind === 'num' || r.kind === 'known') && !isNullish(l) && !isNullish(r)) out.push({ kind: 'num', expr: short(e) });
        else out.push(this.typed(e));
      }
    }
    return cap(out, e);
  }

  private typed(e: ts.Expression): ArgValue {
    const k = this.r.kindOf(e);
    if (k === 'str') return { kind: 'str', parts: [{ hole: 'text', expr: short(e) }] };
    if (k === 'num') return { kind: 'num', expr: short(e) };
    if (k === 'bool') return { kind: 'bool', expr: short(e) };
    if (k === 'obj') return { kind: 'obj', expr: short(e) };
    return { kind: 'any', expr: short(e) };
  }

  private paramIndex(id: ts.Identifier, scope: Scope): number | undefined {
    if (!ts.isFunctionLike(scope.fn)) return undefined;
    const fn = scope.fn as ts.SignatureDeclaration;
    for (const d of this.r.definitions(id).decls) {
      if (ts.isParameter(d) && d.parent === fn && ts.isIdentifier(d.name)) return fn.parameters.indexOf(d);
    }
    return undefined;
  }

  /** A `const` whose initialiser is a literal or template (constant propagation across modules). */
  private constantInit(id: ts.Identifier): ts.Expression | undefined {
    for (const d of this.r.definitions(id).decls) {
      if (ts.isVariableDeclaration(d) && d.initializer && ts.isVariableDeclarationList(d.parent) && d.parent.flags & ts.NodeFlags.Const) {
        const init = skipOuter(d.initializer);
        if (ts.isStringLiteralLike(init) || ts.isTemplateExpression(init) || ts.isNumericLiteral(init) || (ts.isBinaryExpression(init) && init.operatorToken.kind === ts.SyntaxKind.PlusToken)) return init;
      }
    }
    return undefined;
  }
}

function cap(alts: ArgValue[], e: ts.Expression): ArgValue[] {
  return alts.length <= MAX_ALTERNATIVES ? alts : [{ kind: 'any', expr: short(e) }];
}

function isNullish(v: ArgValue): boolean {
  return v.kind === 'known' && (v.text === 'null' || v.text === 'undefined' || v.text === 'true' || v.text === 'false');
}

function isRestParam(fn: ts.Node, index: number): boolean {
  return ts.isFunctionLike(fn) && !!(fn as ts.SignatureDeclaration).parameters[index]?.dotDotDotToken;
}

const NUMERIC_OPS = new Set([ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken, ts.SyntaxKind.AsteriskAsteriskToken]);

/** Expressions that always evaluate to a number (or bigint), whatever their operands. */
function isNumeric(e: ts.Expression): boolean {
  if (ts.isBinaryExpression(e)) return NUMERIC_OPS.has(e.operatorToken.kind);
  if (ts.isPrefixUnaryExpression(e)) return [ts.SyntaxKind.MinusToken, ts.SyntaxKind.PlusToken, ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken, ts.SyntaxKind.TildeToken].includes(e.operator);
  if (ts.isPostfixUnaryExpression(e)) return true;
  if (ts.isPropertyAccessExpression(e) && (e.name.text === 'length' || e.name.text === 'size')) return false; // custom objects may define these: let the checker decide
  if (ts.isCallExpression(e)) {
    const c = e.expression;
    if (ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression)) {
      if (c.expression.text === 'Date' && c.name.text === 'now') return true;
      if (c.expression.text === 'Math') return true;
      if (c.expression.text === 'performance' && c.name.text === 'now') return true;
    }
  }
  return false;
}

function short(e: ts.Node): string {
  const t = e.getText();
  return t.length > 60 ? t.slice(0, 57) + '...' : t;
}
