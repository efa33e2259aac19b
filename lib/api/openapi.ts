// The OpenAPI 3.1 document of the JSON API, generated from the operations' own schemas: what is served at
// /api/v1/openapi.json cannot drift from what the chain enforces.
import { minimumRole, scopeFor } from "@/lib/permissions";
import { API_BASE } from "./http";
import type { Operation } from "./operation";

import { jsonSchema, properties } from "./schema-json";

const ERROR = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        fields: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
      },
      required: ["code", "message"],
    },
  },
  required: ["error"],
};

function describeAccess(op: Operation): { security: object[]; extra: Record<string, unknown>; note: string } {
  const both = [{ bearerToken: [] }, { session: [] }];
  if (op.kind === "public") return { security: [], extra: {}, note: "No sign-in needed." };
  if (op.kind === "user") {
    return op.tokens
      ? { security: both, extra: {}, note: "Any signed-in user or API token." }
      : { security: [{ session: [] }], extra: { "x-berth-session-only": true }, note: "Browser sessions only: API tokens cannot call it." };
  }
  const role = minimumRole(op.permission);
  const scope = scopeFor(op.permission);
  const extra = { "x-berth-permission": op.permission, "x-berth-role": role, "x-berth-scope": op.sessionOnly ? null : scope };
  if (op.sessionOnly)
    return { security: [{ session: [] }], extra: { ...extra, "x-berth-session-only": true }, note: `Role ${role} or above; browser sessions only.` };
  const limit = op.targets ? "" : " Tokens limited to a project or environment cannot call it.";
  return { security: both, extra, note: `Role ${role.toLowerCase()} or above; a token needs the \`${scope}\` scope.${limit}` };
}

export function openApiDocument(ops: readonly Operation[], serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const input = properties(jsonSchema(op.input, "input"));
    const parameters: object[] = pathParams.map((name) => ({
      name,
      in: "path",
      required: true,
      schema: input.props[name] ?? { type: "string" },
      ...(name === "team" ? { description: "The team's slug." } : {}),
    }));
    const rest = Object.fromEntries(Object.entries(input.props).filter(([k]) => !pathParams.includes(k)));
    let requestBody: object | undefined;
    if (op.method === "GET" || op.method === "DELETE") {
      for (const [name, schema] of Object.entries(rest)) parameters.push({ name, in: "query", required: input.required.has(name), schema });
    } else if (Object.keys(rest).length) {
      const required = [...input.required].filter((k) => k in rest);
      requestBody = {
        required: required.length > 0,
        content: { "application/json": { schema: { type: "object", properties: rest, ...(required.length ? { required } : {}) } } },
      };
    }
    const access = describeAccess(op);
    const status = String(op.status ?? 200);
    const success = op.produces
      ? {
          description: op.produces === "text/event-stream" ? "A stream of server-sent events." : "Text.",
          content: { [op.produces]: { schema: { type: "string" } } },
        }
      : { description: "Success.", content: { "application/json": { schema: jsonSchema(op.output, "output") } } };
    const errors = {
      description: "The error, with a message meant for people.",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
    (paths[API_BASE + op.path] ??= {})[op.method.toLowerCase()] = {
      operationId: op.id,
      summary: op.summary,
      description: access.note,
      tags: op.tags ?? [op.id.split(".")[0]],
      parameters,
      ...(requestBody ? { requestBody } : {}),
      responses: { [status]: success, "400": errors, "401": errors, "403": errors, "404": errors },
      security: access.security,
      ...access.extra,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Berth API",
      version: "1",
      description:
        "Berth's JSON API, the one its CLI uses. Authenticate with an API token (Settings → API tokens) as `Authorization: Bearer berth_…`. A token acts with its scopes and never above its maker's current role.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: ERROR },
      securitySchemes: {
        bearerToken: { type: "http", scheme: "bearer", description: "An API token: berth_ followed by 43 characters." },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "A browser session (Berth's own pages)." },
      },
    },
  };
}
