// Character classes shared by the git validators. Everything here refuses input; nothing rewrites it.

/** Control, format (bidi overrides, zero-width), separator and unassigned code points, plus ASCII whitespace. */
export const INVISIBLE = /[\p{C}\p{Z}\s]/u;

/** Characters a shell would act on. Arguments go to git as an array, but a value may still reach a log,
 *  a Dockerfile or a future careless caller, so we refuse them outright rather than rely on quoting. */
export const SHELL_META = /[$`;|&<>'"(){}!\\]/;

/** A readable name for the first offending character, e.g. `"\n" (U+000A)`. */
export function describeChar(s: string, re: RegExp): string {
  const m = re.exec(s);
  if (!m) return "";
  const ch = m[0];
  const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
  return `${JSON.stringify(ch)} (U+${cp})`;
}
