// Route handlers: each authenticates itself; AppErrors become their HTTP status with a JSON body.
import { NextResponse } from "next/server";
import { AppError, NotFoundError, RateLimitError } from "@/lib/errors";

export { jsonBody } from "./body";

type Handler<P> = (req: Request, params: P) => Promise<unknown>;

/** `forms`: the route takes form posts (next-auth's), so the JSON-only rule for mutations does not apply. */
export function route<P = Record<string, string>>(fn: Handler<P>, opts: { forms?: boolean } = {}) {
  return async (req: Request, ctx: { params: Promise<P> }) => {
    try {
      assertSameOriginMutation(req, opts.forms ?? false);
      const body = await fn(req, checkedParams(await ctx.params));
      if (body instanceof Response) return body;
      return body === undefined ? new NextResponse(null, { status: 204 }) : NextResponse.json(body);
    } catch (e) {
      return errorResponse(req, e);
    }
  };
}

/** An AppError as its HTTP status with `{ error: { code, message, fields } }`; anything else is a logged 500. */
export function errorResponse(req: Request, e: unknown): Response {
  if (e instanceof AppError) {
    const headers: Record<string, string> = e instanceof RateLimitError ? { "retry-after": String(e.retryAfterSeconds) } : {};
    if (e.status === 401 && req.headers.has("authorization")) headers["www-authenticate"] = 'Bearer realm="berth"';
    const fields = "fields" in e ? (e as { fields: unknown }).fields : undefined;
    return NextResponse.json({ error: { code: e.code, message: e.message, fields } }, { status: e.status, headers });
  }
  console.error(`${req.method} ${new URL(req.url).pathname} failed:`, e);
  return NextResponse.json({ error: { code: "internal", message: "Internal error" } }, { status: 500 });
}

/** Cookie-authenticated mutations must be JSON (forcing a CORS preflight) and, when sent, same-origin. */
export function assertSameOriginMutation(req: Request, forms: boolean) {
  if (req.method === "GET" || req.method === "HEAD") return;
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host"); // the front door keeps only a trusted proxy's
  if (origin && host && originHost(origin) !== host) throw new AppError("Cross-origin request refused.", 403, "forbidden");
  const type = req.headers.get("content-type") ?? "";
  if (!forms && req.method !== "DELETE" && !type.startsWith("application/json")) {
    throw new AppError("Send a JSON body (Content-Type: application/json).", 415, "unsupported_media_type");
  }
}

function originHost(origin: string): string | null {
  return URL.canParse(origin) ? new URL(origin).host : null;
}

// Every id, slug and session id in Berth's URLs: anything else cannot name a thing, so it is "not found"
// before it reaches a query.
export const PARAM = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

function checkedParams<P>(params: P): P {
  for (const v of Object.values(params ?? {})) {
    const parts = Array.isArray(v) ? v : [v];
    if (parts.some((p) => typeof p === "string" && !PARAM.test(p))) throw new NotFoundError();
  }
  return params;
}
