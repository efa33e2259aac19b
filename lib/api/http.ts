// The JSON API under /api/v1: one catch-all route finds the operation for a method and path and runs the
// chain (lib/api/invoke.ts). A caller is an API token (Authorization: Bearer) or a browser session; a
// session's mutations must be same-origin JSON, a token carries no ambient authority so it needs neither.
import { apiPrincipal } from "@/lib/auth/session";
import { ValidationError, NotFoundError, AppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { jsonBody } from "@/lib/http/body";
import { assertSameOriginMutation, errorResponse, PARAM } from "@/lib/http/route";
import { invoke } from "./invoke";
import { inputFields } from "./schema-json";
import type { Method, Operation } from "./operation";
import { bearerToken, type Principal } from "./principal";

export const API_BASE = "/api/v1";

type Compiled = { op: Operation; re: RegExp; names: string[]; fields: Set<string> | null };

function compile(op: Operation): Compiled {
  const names: string[] = [];
  const re = op.path
    .split("/")
    .map((seg) => {
      const param = /^\{(\w+)\}$/.exec(seg);
      if (!param) return seg.replace(/[.*+?^$(){}|[\]\\]/g, "\\$&");
      names.push(param[1]!);
      return "([^/]+)";
    })
    .join("/");
  return { op, re: new RegExp(`^${API_BASE}${re}/?$`), names, fields: inputFields(op.input) };
}

/** The router's table: each operation's path as a pattern, with the fields it takes. */
export function compileTable(ops: readonly Operation[]): Compiled[] {
  return ops.map(compile);
}

export class MethodNotAllowedError extends AppError {
  constructor(readonly allow: string[]) {
    super(`Use ${allow.join(" or ")} here.`, 405, "method_not_allowed");
  }
}

/** The operation a request names, with its path parameters; 404 when there is none. */
export function matchOperation(
  table: Compiled[],
  method: string,
  pathname: string,
): { op: Operation; params: Record<string, string>; fields: Set<string> | null } {
  const allow: string[] = [];
  for (const c of table) {
    const m = c.re.exec(pathname);
    if (!m) continue;
    if (c.op.method !== method && !(method === "HEAD" && c.op.method === "GET")) {
      allow.push(c.op.method);
      continue;
    }
    const params: Record<string, string> = {};
    c.names.forEach((n, i) => {
      let v: string;
      try {
        v = decodeURIComponent(m[i + 1]!);
      } catch {
        throw new NotFoundError();
      }
      if (!PARAM.test(v)) throw new NotFoundError(); // cannot name anything Berth has
      params[n] = v;
    });
    return { op: c.op, params, fields: c.fields };
  }
  if (allow.length) throw new MethodNotAllowedError(allow);
  throw new NotFoundError(`No API operation at ${method} ${pathname}. The API is described at ${API_BASE}/openapi.json.`);
}

async function principalOf(req: Request): Promise<Principal> {
  const token = bearerToken(req.headers);
  if (token !== null) return { kind: "token", token };
  assertSameOriginMutation(req, false);
  return apiPrincipal();
}

/**
 * Query string and JSON body (a body must be an object), under the path parameters, which win. A field the
 * operation does not take is refused, so a misspelt option is an error instead of silently ignored.
 */
async function readInput(req: Request, op: Operation, params: Record<string, string>, fields: Set<string> | null): Promise<Record<string, unknown>> {
  const url = new URL(req.url);
  const query: Record<string, unknown> = {};
  for (const [header, name] of Object.entries(op.headerInputs ?? {})) {
    const v = req.headers.get(header);
    if (v !== null) query[name] = v;
  }
  for (const [k, v] of url.searchParams) query[k] = v;
  let body: unknown = {};
  if (req.method !== "GET" && req.method !== "HEAD" && (req.headers.get("content-type") ?? "").startsWith("application/json")) {
    body = await jsonBody(req);
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ValidationError("The request body must be a JSON object.");
  }
  const input = { ...query, ...(body as Record<string, unknown>) };
  const unknown = fields ? Object.keys(input).filter((k) => !fields.has(k) && !(k in params)) : [];
  if (unknown.length) {
    const takes = fields?.size ? ` It takes: ${[...fields].join(", ")}.` : " It takes no fields.";
    throw new ValidationError(
      `Unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.slice(0, 5).join(", ")}.${takes}`,
      Object.fromEntries(unknown.map((k) => [k, ["Not a field of this operation."]])),
    );
  }
  return { ...input, ...params };
}

/** The route handlers for app/api/v1/[...path]/route.ts. */
export function apiHandlers(ops: Operation[]): Record<Method | "HEAD", (req: Request) => Promise<Response>> {
  const table = compileTable(ops);
  const handle = async (req: Request): Promise<Response> => {
    try {
      const { op, params, fields } = matchOperation(table, req.method, new URL(req.url).pathname);
      const principal = await principalOf(req);
      const out = await invoke(
        op,
        principal,
        { team: params.team, input: () => readInput(req, op, params, fields) },
        {
          ip: clientIp(req.headers),
          signal: req.signal,
        },
      );
      if (out instanceof Response) return out;
      if (out === undefined) return new Response(null, { status: 204 });
      return Response.json(out, { status: op.status ?? 200, headers: { "cache-control": "no-store" } });
    } catch (e) {
      const res = errorResponse(req, e);
      if (e instanceof MethodNotAllowedError) res.headers.set("allow", e.allow.join(", "));
      return res;
    }
  };
  return { GET: handle, HEAD: handle, POST: handle, PATCH: handle, PUT: handle, DELETE: handle };
}
