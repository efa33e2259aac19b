// Paths inside a checked-out repository (build context subdirectory, Dockerfile). They are joined to the
// checkout directory on the host, so anything that could climb out of it or hide in it is refused.
import { INVISIBLE, SHELL_META, describeChar } from "./chars";

export type PathResult = { ok: true; path: string } | { ok: false; error: string };

const MAX_PATH = 1024;

function normalise(raw: string, what: string): PathResult {
  const fail = (error: string): PathResult => ({ ok: false, error: `Invalid ${what}: ${error}` });
  if (typeof raw !== "string") return fail("expected text");
  if (raw.length > MAX_PATH) return fail(`longer than ${MAX_PATH} characters`);
  if (INVISIBLE.test(raw)) return fail(`spaces and control characters are not allowed, found ${describeChar(raw, INVISIBLE)}`);
  if (SHELL_META.test(raw)) return fail(`must not contain shell metacharacters, found ${describeChar(raw, SHELL_META)}`);
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) return fail("must be relative to the repository root");
  if (raw.startsWith("-")) return fail('must not start with "-"');
  // Drop "." and empty segments ("./app//x/" → "app/x"); refuse anything that climbs or reaches into .git.
  const parts: string[] = [];
  for (const seg of raw.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") return fail('must not contain ".." segments');
    if (seg.toLowerCase() === ".git") return fail('must not point into ".git"');
    // Checked per segment so that "./-x" cannot become "-x" after normalising.
    if (seg.startsWith("-")) return fail(`no segment may start with "-" ("${seg}")`);
    parts.push(seg);
  }
  return { ok: true, path: parts.join("/") };
}

/** The build context inside the repository; "" is the repository root. */
export function validateSubdirectory(raw: string): PathResult {
  return normalise(raw, "subdirectory");
}

/** The Dockerfile, relative to the repository; empty means "Dockerfile". */
export function validateDockerfilePath(raw: string): PathResult {
  if (raw === "") return { ok: true, path: "Dockerfile" };
  const r = normalise(raw, "Dockerfile path");
  // "." or "./" names the root directory, not a file.
  if (r.ok && r.path === "") return { ok: false, error: "Invalid Dockerfile path: must name a file" };
  return r;
}
