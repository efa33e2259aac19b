// The pure parts of the chain: finding an operation by method and path, the fields an operation takes, the
// OpenAPI document made from definitions, and which scopes grant which.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileTable, matchOperation } from "@/lib/api/http";
import { openApiDocument } from "@/lib/api/openapi";
import { publicOp, teamOp, type Operation } from "@/lib/api/operation";
import { inputFields } from "@/lib/api/schema-json";
import { ACTIONS, scopeFor } from "@/lib/permissions";
import { SCOPES, scopeCovers } from "@/lib/scopes";

const getThing = teamOp({
  id: "things.get",
  method: "GET",
  path: "/teams/{team}/things/{thingId}",
  summary: "A thing.",
  permission: "project.read",
  targets: (i) => [{ service: i.thingId }],
  input: z.object({ thingId: z.string(), verbose: z.enum(["0", "1"]).optional() }),
  output: z.object({ id: z.string() }),
  run: async () => ({ id: "x", secret: "never" }),
});
const makeThing = teamOp({
  id: "things.create",
  method: "POST",
  path: "/teams/{team}/things",
  summary: "Make a thing.",
  permission: "project.write",
  input: z.object({ name: z.string().min(1) }),
  output: z.object({ id: z.string() }),
  status: 201,
  run: async () => ({ id: "x" }),
});
const hello = publicOp({ id: "meta.hello", method: "GET", path: "/hello", summary: "Hi.", input: z.object({}), output: z.object({}), run: async () => ({}) });

const ops: Operation[] = [getThing, makeThing, hello];
const table = compileTable(ops);

describe("finding the operation", () => {
  it("matches method and path and decodes parameters", () => {
    const m = matchOperation(table, "GET", "/api/v1/teams/acme/things/th%2Dng");
    expect(m.op.id).toBe("things.get");
    expect(m.params).toEqual({ team: "acme", thingId: "th-ng" });
    expect(matchOperation(table, "HEAD", "/api/v1/teams/acme/things/t1").op.id).toBe("things.get");
  });

  it("answers 405 with the methods a path takes, and 404 for a path it does not know", () => {
    expect(() => matchOperation(table, "DELETE", "/api/v1/teams/acme/things")).toThrow(expect.objectContaining({ status: 405, allow: ["POST"] }));
    expect(() => matchOperation(table, "GET", "/api/v1/teams/acme/nothing")).toThrow(expect.objectContaining({ status: 404 }));
  });

  it("treats a parameter that cannot name anything as not found, before any query", () => {
    for (const bad of ["%00", "%E0%A4%A", "..", "a%2Fb", "x".repeat(300), "-leading"]) {
      expect(() => matchOperation(table, "GET", `/api/v1/teams/acme/things/${bad}`), bad).toThrow(expect.objectContaining({ status: 404 }));
    }
  });
});

describe("the fields an operation takes", () => {
  it("lists an object schema's fields, and gives up (null) on shapes it cannot list", () => {
    expect(inputFields(getThing.input)).toEqual(new Set(["thingId", "verbose"]));
    expect(inputFields(z.object({}))).toEqual(new Set());
    expect(inputFields(z.object({ a: z.string() }).and(z.object({ b: z.number() })))).toEqual(new Set(["a", "b"]));
    expect(inputFields(z.looseObject({ a: z.string() }))).toBeNull();
    expect(inputFields(z.preprocess((v) => v, z.object({ a: z.string() })))).not.toEqual(new Set(["b"]));
  });
});

describe("the OpenAPI document", () => {
  const doc = openApiDocument(ops, "https://berth.example") as {
    openapi: string;
    servers: { url: string }[];
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };

  it("describes each operation from its schemas, with its role and scope", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers[0]!.url).toBe("https://berth.example");
    const get = doc.paths["/api/v1/teams/{team}/things/{thingId}"]!.get!;
    expect(get.operationId).toBe("things.get");
    expect(get["x-berth-scope"]).toBe("read");
    expect(get["x-berth-role"]).toBe("VIEWER");
    expect((get.parameters as { name: string; in: string }[]).map((p) => `${p.in}:${p.name}`)).toEqual(["path:team", "path:thingId", "query:verbose"]);
    const post = doc.paths["/api/v1/teams/{team}/things"]!.post!;
    expect(post["x-berth-scope"]).toBe("write");
    expect(JSON.stringify(post.requestBody)).toContain('"required":["name"]');
    expect(Object.keys(post.responses as object)).toContain("201");
    expect(post.description).toContain("Tokens limited to a project or environment cannot call it.");
    expect(doc.paths["/api/v1/hello"]!.get!.security).toEqual([]);
  });

  it("never mentions a field the output schema leaves out", () => {
    expect(JSON.stringify(doc)).not.toContain("secret");
  });
});

describe("scopes", () => {
  it("grant what they imply and nothing more", () => {
    const grants = (g: (typeof SCOPES)[number]) => SCOPES.filter((n) => scopeCovers([g], n));
    expect(grants("read")).toEqual(["read"]);
    expect(grants("read:secrets")).toEqual(["read", "read:secrets"]);
    expect(grants("deploy")).toEqual(["read", "deploy"]);
    expect(grants("write")).toEqual(["read", "deploy", "write"]);
    expect(grants("admin")).toEqual([...SCOPES]);
    expect(scopeCovers([], "read")).toBe(false);
  });

  it("name one for every permission, and secrets only behind read:secrets or admin", () => {
    for (const a of ACTIONS) expect(SCOPES).toContain(scopeFor(a));
    expect(ACTIONS.filter((a) => scopeFor(a) === "read:secrets").sort()).toEqual([
      "config.export-secrets",
      "container.env",
      "container.env.protected",
      "service.webhook-secret",
    ]);
  });
});
