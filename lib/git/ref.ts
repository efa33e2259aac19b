// Branch and tag names, checked like `git check-ref-format --branch` plus a refusal of shell
// metacharacters, which git would accept but no sane branch needs.
import { INVISIBLE, SHELL_META, describeChar } from "./chars";

export type RefResult = { ok: true; ref: string } | { ok: false; error: string };

const MAX_REF = 255;
const GIT_FORBIDDEN = /[~^:?*[\\]/;

export function validateRef(raw: string): RefResult {
  const fail = (error: string): RefResult => ({ ok: false, error: `Invalid branch or tag: ${error}` });
  if (typeof raw !== "string" || raw.length === 0) return fail("a name is required");
  if (raw.length > MAX_REF) return fail(`longer than ${MAX_REF} characters`);
  if (INVISIBLE.test(raw)) return fail(`spaces and control characters are not allowed, found ${describeChar(raw, INVISIBLE)}`);
  // A leading "-" would be read by git as an option.
  if (raw.startsWith("-")) return fail('must not start with "-"');
  if (GIT_FORBIDDEN.test(raw)) return fail(`must not contain ~ ^ : ? * [ or \\, found ${describeChar(raw, GIT_FORBIDDEN)}`);
  // ".." is range syntax (a..b) and path traversal inside .git/refs.
  if (raw.includes("..")) return fail('must not contain ".."');
  // "@{" is reflog syntax (@{-1} = previous branch); a lone "@" means HEAD.
  if (raw.includes("@{")) return fail('must not contain "@{"');
  if (SHELL_META.test(raw)) return fail(`must not contain shell metacharacters, found ${describeChar(raw, SHELL_META)}`);
  if (raw === "@" || raw === "HEAD") return fail(`"${raw}" is not a branch name`);
  if (raw.startsWith("/") || raw.endsWith("/")) return fail('must not start or end with "/"');
  if (raw.includes("//")) return fail('must not contain "//"');
  if (raw.endsWith(".")) return fail('must not end with "."');
  for (const part of raw.split("/")) {
    if (part.startsWith(".")) return fail(`no component may start with "." ("${part}")`);
    if (part.endsWith(".lock")) return fail(`no component may end with ".lock" ("${part}")`);
  }
  return { ok: true, ref: raw };
}

export type ShaResult = { ok: true; sha: string } | { ok: false; error: string };

/** A full SHA-1 (40) or SHA-256 (64) object id, lowercased. Abbreviations are ambiguous, so refused. */
export function validateCommitSha(raw: string): ShaResult {
  if (typeof raw !== "string" || !/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(raw)) {
    return { ok: false, error: "Invalid commit: expected a full 40 or 64 character hexadecimal SHA" };
  }
  // The all-zero id is git's "no object" marker (e.g. a deleted branch), never a commit.
  if (/^0+$/.test(raw)) return { ok: false, error: "Invalid commit: the all-zero SHA names no commit" };
  return { ok: true, sha: raw.toLowerCase() };
}
