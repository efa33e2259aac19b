// The `${{ … }}` reference syntax of variable values: parsing (for resolution, previews and save-time
// validation) and escaping. Pure: no I/O.
//
// Escaping rule: only a run of `$` directly before `{{` is special. Each `$$` pair in that run yields one
// literal `$`; an odd `$` left over makes `${{ … }}` a reference, none left over leaves `{{` literal. So
// `$${{ A }}` is the text `${{ A }}`, `$$${{ A }}` is `$` followed by A's value, `$$$${{ A }}` is the text
// `$${{ A }}`. Every text can be written (see `escapeLiteral`), and `$` anywhere else (`pa$$word`) is kept
// as typed.

export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const SERVICE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** `self` is an unqualified `${{ KEY }}`; `service` is `${{ services.<service>.KEY }}`. */
export type RefScope = "self" | "team" | "project" | "env" | "service";
export type Reference = { scope: RefScope; service?: string; key: string; raw: string };
export type ValuePart = { text: string } | { ref: Reference };
export type ParsedValue = { parts: ValuePart[]; errors: string[] };
/** A malformed reference: `message` quotes the value; `kind` and `position` do not (for secret values). */
export type ParseIssue = { kind: string; position: number; message: string };

const SCOPE_WORDS = new Map<string, RefScope>([
  ["team", "team"],
  ["project", "project"],
  ["env", "env"],
]);
const EXPECTED = "expected KEY, team.KEY, project.KEY, env.KEY or services.<service>.KEY";

/** Parses a value into literal text and references. Malformed references are kept as text and reported. */
export function parseReferences(value: string): ParsedValue {
  const { parts, issues } = parseValue(value);
  return { parts, errors: issues.map((issue) => issue.message) };
}

/** parseReferences with structured errors. */
export function parseValue(value: string): { parts: ValuePart[]; issues: ParseIssue[] } {
  const parts: ValuePart[] = [];
  const issues: ParseIssue[] = [];
  // Adjacent literal pieces are merged so a preview never shows split text.
  const pushText = (text: string) => {
    if (!text) return;
    const last = parts[parts.length - 1];
    if (last && "text" in last) last.text += text;
    else parts.push({ text });
  };

  let i = 0;
  while (i < value.length) {
    const open = value.indexOf("{{", i);
    if (open < 0) break;
    let run = 0;
    while (open - run - 1 >= i && value[open - run - 1] === "$") run++;
    pushText(value.slice(i, open - run) + "$".repeat(Math.floor(run / 2)));
    if (run % 2 === 0) {
      pushText("{{");
      i = open + 2;
      continue;
    }
    const start = open - 1; // the `$` that opens the reference
    const close = value.indexOf("}}", open + 2);
    if (close < 0) {
      const kind = 'unterminated "${{"';
      issues.push({ kind, position: start, message: `${kind} at position ${start} (no closing "}}")` });
      pushText(value.slice(start));
      i = value.length;
      break;
    }
    const raw = value.slice(start, close + 2);
    const parsed = parseInner(value.slice(open + 2, close), raw, start);
    if ("kind" in parsed) {
      issues.push({ ...parsed, position: start });
      pushText(raw);
    } else {
      parts.push({ ref: parsed });
    }
    i = close + 2;
  }
  pushText(value.slice(i));
  return { parts, issues };
}

/** The reference inside the braces, or what is wrong with it. */
function parseInner(inner: string, raw: string, position: number): Reference | { kind: string; message: string } {
  const at = `"${raw}" at position ${position}`;
  const issue = (kind: string, message: string) => ({ kind, message });
  const body = inner.trim();
  if (!body) return issue("empty reference", `empty reference ${at} (${EXPECTED})`);
  const segments = body.split(".");
  const key = segments[segments.length - 1];
  const badKey = () =>
    key ? issue("invalid key", `invalid key "${key}" in ${at} (keys match ${KEY_PATTERN.source})`) : issue("missing key", `missing key in ${at} (${EXPECTED})`);

  if (segments.length === 1) return KEY_PATTERN.test(key) ? { scope: "self", key, raw } : badKey();

  const word = segments[0];
  if (!word) return issue("malformed reference", `malformed reference ${at} (${EXPECTED})`);
  if (word === "services") {
    if (segments.length !== 3) return issue("malformed reference", `malformed reference ${at} (expected services.<service>.KEY)`);
    const service = segments[1];
    if (!SERVICE_NAME_PATTERN.test(service)) return issue("invalid service name", `invalid service name "${service}" in ${at}`);
    return KEY_PATTERN.test(key) ? { scope: "service", service, key, raw } : badKey();
  }
  const scope = SCOPE_WORDS.get(word);
  if (!scope) return issue("unknown scope", `unknown scope "${word}" in ${at} (expected team, project, env or services.<service>)`);
  if (segments.length !== 2) return issue("malformed reference", `malformed reference ${at} (expected ${word}.KEY)`);
  return KEY_PATTERN.test(key) ? { scope, key, raw } : badKey();
}

/** A value that parses to exactly `text` with no references (doubles every `$` run that precedes `{{`). */
export function escapeLiteral(text: string): string {
  return text.replace(/(\$+)(?=\{\{)/g, (run) => run + run);
}

/** A reference written canonically, e.g. `team.KEY`, `services.api.KEY`, `KEY`. */
export function referenceName(ref: Reference): string {
  switch (ref.scope) {
    case "self":
      return ref.key;
    case "service":
      return `services.${ref.service}.${ref.key}`;
    default:
      return `${ref.scope}.${ref.key}`;
  }
}
