// The helpers every template may call (escapers for user text, logic for conditions) and the
// options every template is compiled with, at run time in development and at build time.
import * as escapes from './escape.js';

export const HELPERS = {
  goString: (s: unknown) => escapes.goString(String(s)),
  yamlString: (s: unknown) => escapes.yamlString(String(s)),
  jsonString: (s: unknown) => escapes.jsonString(String(s)),
  shellQuote: (s: unknown) => escapes.shellQuote(String(s)),
  makeShellQuote: (s: unknown) => escapes.makeShellQuote(String(s)),
  goDocTail: (s: unknown) => escapes.goDocTail(String(s)),
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  not: (a: unknown) => !a,
  // The last argument is Handlebars' options object.
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
} as const;

/**
 * No HTML escaping; a missing variable is an error. Only these helpers exist (a misspelt one
 * fails to compile), and no @data variables: the compiled code then calls helpers directly
 * instead of looking each name up, which halves the cost of rendering a repo.
 */
export const TEMPLATE_OPTIONS = {
  noEscape: true,
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((k) => [k, true])),
  data: false,
};
