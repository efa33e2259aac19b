// .env files in and out. Parsing follows the common dotenv conventions: `KEY=value`, an optional
// `export ` prefix, `#` comments, single quotes literal, double quotes with \n \t \" \\ escapes.
//
// Linear in the input: each character is scanned a bounded number of times (a quoted value spanning lines
// is scanned line by line, never from its start again), and the input, its lines, keys, values, the number
// of variables and the number of problems listed are all limited. Too large an input is a ValidationError
// for the `dotenv` field; a bad line is a problem listed with its number.
import { ValidationError } from "@/lib/errors";

export type DotenvEntry = { key: string; value: string };
export type DotenvResult = { entries: DotenvEntry[]; errors: { line: number; message: string }[] };

export const DOTENV_LIMITS = {
  /** UTF-8 bytes of the whole text. */
  bytes: 1024 * 1024,
  lines: 50_000,
  /** Variables in one import (each is written with its version and audit row). */
  entries: 1_000,
  /** The same limits a variable typed in the console has (lib/data/variables.ts). */
  keyChars: 128,
  valueChars: 32 * 1024,
  /** Problems listed; the rest are counted. */
  errors: 50,
};

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

function tooLarge(what: string): ValidationError {
  const message = `The .env is too large: ${what}.`;
  return new ValidationError(message, { dotenv: [message] });
}

export function parseDotenv(text: string): DotenvResult {
  // text.length counts UTF-16 units, never more than the UTF-8 bytes: a cheap first check.
  if (text.length > DOTENV_LIMITS.bytes || Buffer.byteLength(text, "utf8") > DOTENV_LIMITS.bytes) {
    throw tooLarge(`more than ${DOTENV_LIMITS.bytes / 1024 / 1024} MB`);
  }
  const lines = text.split(/\r\n?|\n/);
  if (lines.length > DOTENV_LIMITS.lines) throw tooLarge(`more than ${DOTENV_LIMITS.lines.toLocaleString("en")} lines`);

  const entries = new Map<string, string>();
  const errors: DotenvResult["errors"] = [];
  let omitted = 0;
  let firstOmitted = 0;
  const problem = (line: number, message: string) => {
    if (errors.length < DOTENV_LIMITS.errors) errors.push({ line, message: `line ${line}: ${message}` });
    else if (omitted++ === 0) firstOmitted = line;
  };

  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (!line || line.startsWith("#")) continue;
    if (line.startsWith("export ")) line = line.slice(7).trim();
    const eq = line.indexOf("=");
    if (eq <= 0) {
      problem(i + 1, "expected KEY=value");
      continue;
    }
    const key = line.slice(0, eq).trim();
    if (key.length > DOTENV_LIMITS.keyChars) {
      problem(i + 1, `a key is longer than ${DOTENV_LIMITS.keyChars} characters`);
      continue;
    }
    if (!KEY.test(key)) {
      problem(i + 1, `"${key}" is not a valid key`);
      continue;
    }
    let rest = line.slice(eq + 1).trim();
    let value: string;
    const start = i + 1;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const quote = rest[0]!;
      // A quoted value may span lines until its closing quote. Each line is scanned once: an escaping
      // backslash at the end of a line escapes the line break, which is not part of the next line.
      const pieces: string[] = [];
      let piece = rest.slice(1);
      let close = findClose(piece, quote);
      while (close < 0 && i + 1 < lines.length) {
        pieces.push(piece);
        piece = lines[++i]!;
        close = findClose(piece, quote);
      }
      if (close < 0) {
        problem(start, `unterminated ${quote} quote for ${key}`);
        continue;
      }
      pieces.push(piece.slice(0, close));
      const raw = pieces.join("\n");
      value = quote === '"' ? raw.replace(/\\([nrt"\\])/g, (_, c: string) => ESCAPES[c]!) : raw;
    } else {
      const hash = rest.search(/\s#/);
      if (hash >= 0) rest = rest.slice(0, hash);
      value = rest.trim();
    }
    if (value.length > DOTENV_LIMITS.valueChars) {
      problem(start, `the value of ${key} is longer than ${DOTENV_LIMITS.valueChars / 1024} KB`);
      continue;
    }
    entries.set(key, value);
    if (entries.size > DOTENV_LIMITS.entries) throw tooLarge(`more than ${DOTENV_LIMITS.entries.toLocaleString("en")} variables`);
  }
  if (omitted)
    errors.push({
      line: firstOmitted,
      message: `line ${firstOmitted} and ${omitted - 1} more lines have problems too (the first ${DOTENV_LIMITS.errors} are listed)`,
    });
  return { entries: [...entries].map(([key, value]) => ({ key, value })), errors };
}

/** The index of the closing quote in one line of a quoted value, or -1. */
function findClose(body: string, quote: string): number {
  for (let j = 0; j < body.length; j++) {
    if (quote === '"' && body[j] === "\\") {
      j++;
      continue;
    }
    if (body[j] === quote) return j;
  }
  return -1;
}

/** Serialises entries, quoting every value so that any content round-trips through parseDotenv. */
export function formatDotenv(entries: DotenvEntry[]): string {
  const quote = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
  return entries.map((e) => `${e.key}=${quote(e.value)}`).join("\n") + (entries.length ? "\n" : "");
}
