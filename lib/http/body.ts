// Request bodies read with a hard size limit (a sender cannot make the server buffer more than it allows)
// and checked once for what PostgreSQL and the rest of the code cannot take: invalid UTF-8, NUL bytes,
// lone surrogates, absurd nesting.
import { AppError, ValidationError } from "@/lib/errors";

export const JSON_BODY_LIMIT = 1024 * 1024;
const MAX_DEPTH = 32;

export class TooLargeError extends AppError {
  constructor(limit: number) {
    super(`The request body is larger than ${Math.round(limit / 1024)} KB.`, 413, "too_large");
  }
}

/** The raw body, refused with 413 as soon as it passes `limit` bytes (before all of it has arrived). */
export async function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) throw new TooLargeError(limit);
  if (!req.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new TooLargeError(limit);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** The body as text, refused unless it is valid UTF-8. */
export function utf8(raw: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new ValidationError("The request body is not valid UTF-8.");
  }
}

/** Throws unless every string (and key) in `v` is well-formed and free of NUL, and nesting is sane. */
export function assertCleanJson(v: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new ValidationError(`The JSON is nested more than ${MAX_DEPTH} levels deep.`);
  if (typeof v === "string") {
    if (v.includes("\0")) throw new ValidationError("The request contains a NUL character.");
    if (!v.isWellFormed()) throw new ValidationError("The request contains an unpaired surrogate (invalid Unicode).");
  } else if (Array.isArray(v)) {
    for (const x of v) assertCleanJson(x, depth + 1);
  } else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      assertCleanJson(k, depth + 1);
      assertCleanJson(x, depth + 1);
    }
  }
}

/** A JSON request body, size-limited and clean; a non-object where an object is expected is the schema's call. */
export async function jsonBody(req: Request, limit = JSON_BODY_LIMIT): Promise<unknown> {
  const text = utf8(await readBody(req, limit));
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
  assertCleanJson(v);
  return v;
}
