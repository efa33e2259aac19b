// Route handlers: each authenticates itself; AppErrors become their HTTP status with a JSON body.
import { NextResponse } from "next/server";
import { AppError, RateLimitError, ValidationError } from "@/lib/errors";

type Handler<P> = (req: Request, params: P) => Promise<unknown>;

export function route<P = Record<string, string>>(fn: Handler<P>) {
  return async (req: Request, ctx: { params: Promise<P> }) => {
    try {
      assertSameOriginMutation(req);
      const body = await fn(req, await ctx.params);
      if (body instanceof Response) return body;
      return body === undefined ? new NextResponse(null, { status: 204 }) : NextResponse.json(body);
    } catch (e) {
      if (e instanceof AppError) {
        const headers = e instanceof RateLimitError ? { "retry-after": String(e.retryAfterSeconds) } : undefined;
        const fields = "fields" in e ? (e as { fields: unknown }).fields : undefined;
        return NextResponse.json({ error: { code: e.code, message: e.message, fields } }, { status: e.status, headers });
      }
      console.error(`${req.method} ${new URL(req.url).pathname} failed:`, e);
      return NextResponse.json({ error: { code: "internal", message: "Internal error" } }, { status: 500 });
    }
  };
}

/** Cookie-authenticated mutations must be JSON (forcing a CORS preflight) and, when sent, same-origin. */
function assertSameOriginMutation(req: Request) {
  if (req.method === "GET" || req.method === "HEAD") return;
  const origin = req.headers.get("origin");
  const host = req.headers.get("host");
  if (origin && host && new URL(origin).host !== host) throw new AppError("Cross-origin request refused.", 403, "forbidden");
  const type = req.headers.get("content-type") ?? "";
  if (req.method !== "DELETE" && !type.startsWith("application/json")) {
    throw new AppError("Send a JSON body (Content-Type: application/json).", 415, "unsupported_media_type");
  }
}

export async function jsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
}
