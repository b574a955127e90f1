// Experiment (not used by the product): compiles the Handlebars subset our templates use
// into plain JS functions at build time, instead of Handlebars.precompile + the Handlebars
// runtime. bench/experiments/variants.ts builds a bundle with it and checks that the output
// is byte-identical to the real one. Supported: text, comments, {{path}}, {{helper args}},
// (subexpressions), {{#if}}/{{#unless}} with {{else}}; anything else fails the build.
// Semantics follow Handlebars with { noEscape: true, strict: true }: a missing variable in
// a plain mustache throws, helper arguments may be undefined, `if` treats [] as false.
import Handlebars from 'handlebars';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = { type: string; [k: string]: any };

export function compileLean(src: string, file: string): string {
  const ast = Handlebars.parse(src) as unknown as Node;
  const fail = (n: Node, what: string): never => {
    throw new Error(`${file}:${n.loc?.start?.line ?? '?'}: ${what} is not supported by the lean compiler`);
  };
  const path = (p: Node, strictTerminal: boolean): string => {
    if (p.type !== 'PathExpression') return expr(p);
    if (p.data || p.depth > 0) fail(p, `path ${p.original}`);
    if (p.parts.length === 0) return 'c';
    let code = 'c';
    p.parts.forEach((part: string, i: number) => {
      const last = i === p.parts.length - 1;
      code = last && !strictTerminal ? `g(${code},${JSON.stringify(part)})` : `s(${code},${JSON.stringify(part)})`;
    });
    return code;
  };
  const helper = (n: Node): string => {
    if (n.hash) fail(n, 'hash arguments');
    const name = n.path.original as string;
    const args = n.params.map((p: Node) => path(p, false));
    return `H(h,${JSON.stringify(name)})(${[...args, 'O'].join(',')})`;
  };
  const expr = (n: Node): string => {
    switch (n.type) {
      case 'StringLiteral':
        return JSON.stringify(n.value);
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return String(n.value);
      case 'SubExpression':
        return helper(n);
      case 'PathExpression':
        return path(n, false);
      default:
        return fail(n, n.type);
    }
  };
  const program = (p: Node | undefined): string => {
    if (!p) return '""';
    const parts: string[] = [];
    for (const n of p.body as Node[]) {
      switch (n.type) {
        case 'ContentStatement':
          if (n.value) parts.push(JSON.stringify(n.value));
          break;
        case 'CommentStatement':
          break;
        case 'MustacheStatement':
          parts.push(`v(${n.params.length || n.hash ? helper(n) : path(n.path, true)})`);
          break;
        case 'BlockStatement': {
          const name = n.path.original;
          if ((name !== 'if' && name !== 'unless') || n.params.length !== 1 || n.hash) fail(n, `block ${name}`);
          const cond = `t(${expr(n.params[0])})`;
          const [a, b] = name === 'if' ? [program(n.program), program(n.inverse)] : [program(n.inverse), program(n.program)];
          parts.push(`(${cond}?${a}:${b})`);
          break;
        }
        default:
          fail(n, n.type);
      }
    }
    return parts.length ? parts.join('+') : '""';
  };
  return `(c,h)=>${program(ast)}`;
}

/** The runtime the compiled functions need: a few lines instead of the Handlebars runtime. */
export const LEAN_RUNTIME = `
const O = {};
const own = Object.prototype.hasOwnProperty;
function g(o, k) { return o != null && own.call(o, k) ? o[k] : undefined; }
function s(o, k) { if (o == null || !(k in o)) throw new Error('"' + k + '" not defined in ' + o); return own.call(o, k) ? o[k] : undefined; }
function v(x) { return x == null ? '' : x; }
function t(x) { return !(!x || (Array.isArray(x) && x.length === 0)); }
function H(h, n) { const f = h[n]; if (typeof f !== 'function') throw new Error('Missing helper: "' + n + '"'); return f; }
`;
