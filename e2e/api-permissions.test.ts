// The permission walk: every operation of the API, called over HTTP by each role's session and by tokens of
// each role and scope, answers exactly as the permission table (lib/permissions.ts) and the scopes
// (lib/scopes.ts) say. The input is always refused (an unknown field), so an allowed call ends at input
// checking (400/404) and nothing is changed; a refused one is 403 before its input is read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_BASE } from "@/lib/api/http";
import type { Operation } from "@/lib/api/operation";
import { inputFields } from "@/lib/api/schema-json";
import { OPERATIONS } from "@/lib/api/registry";
import type { Role } from "@/lib/generated/prisma/enums";
import { can, ROLES, scopeFor } from "@/lib/permissions";
import { SCOPES, scopeCovers, type Scope } from "@/lib/scopes";
import { signIn } from "../bench/support/client";
import { MEMBER_PASSWORD, teamWithEveryRole, tokenFor } from "../tests/support/team-members";
import { baseUrl } from "./support/browser";

type Caller = { label: string; headers: Record<string, string>; role?: Role; scopes?: Scope[]; limited?: boolean; expect?: number };

const teamOps = OPERATIONS.filter((op) => op.kind === "team");
const userOps = OPERATIONS.filter((op) => op.kind === "user");
let slug = "";
const callers: Caller[] = [];

beforeAll(async () => {
  const world = await teamWithEveryRole("walk");
  slug = world.slug;
  for (const role of ROLES) {
    const m = world.members[role];
    callers.push({ label: `${role} session`, role, headers: { cookie: await signIn(baseUrl(), m.email, MEMBER_PASSWORD) } });
    for (const scope of SCOPES) {
      const token = await tokenFor(m, [scope]).catch(() => null); // a scope the role can never use is refused at creation
      if (token) callers.push({ label: `${role} token [${scope}]`, role, scopes: [scope], headers: { authorization: `Bearer ${token}` } });
    }
  }
  const owner = world.members.OWNER;
  callers.push({
    label: "OWNER token [admin] limited to a project",
    role: "OWNER",
    scopes: ["admin"],
    limited: true,
    headers: { authorization: `Bearer ${await tokenFor(owner, ["admin"], { projectId: world.project.id })}` },
  });
  const other = await teamWithEveryRole("other");
  callers.push({
    label: "another team's admin token",
    scopes: ["admin"],
    headers: { authorization: `Bearer ${await tokenFor(other.members.OWNER, ["admin"])}` },
    expect: 404,
  });
  callers.push({ label: "nobody", headers: {}, expect: 401 });
  callers.push({ label: "a made-up token", headers: { authorization: `Bearer berth_${"x".repeat(43)}` }, expect: 401 });
}, 120_000);

afterAll(() => {
  console.log(`permission walk: ${teamOps.length} team operations × ${callers.length} callers, ${userOps.length} user operations`);
});

/** What the table says `caller` gets from `op`: allowed (then its input is refused: 400), or the status it must get. */
function expected(op: Operation, c: Caller): "allowed" | number {
  if (c.expect) return c.expect;
  if (op.kind !== "team") return "allowed";
  if (!can(c.role!, op.permission)) return 403;
  if (c.scopes) {
    if (op.sessionOnly || !scopeCovers(c.scopes, scopeFor(op.permission))) return 403;
    if (c.limited && !op.targets) return 403;
  }
  return "allowed";
}

function request(op: Operation, c: Caller) {
  const path = API_BASE + op.path.replace(/\{(\w+)\}/g, (_m, name) => (name === "team" ? slug : "walk-missing-id"));
  const read = op.method === "GET";
  return fetch(`${baseUrl()}${path}${read ? "?__walk=1" : ""}`, {
    method: op.method,
    headers: { ...c.headers, ...(read ? {} : { "content-type": "application/json" }) },
    body: read ? undefined : JSON.stringify({ __walk: 1 }),
    redirect: "manual",
  });
}

async function walk(ops: Operation[], exp: (op: Operation, c: Caller) => "allowed" | number) {
  const wrong: string[] = [];
  const jobs = ops.flatMap((op) => callers.map((c) => ({ op, c })));
  const next = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const { op, c } = job;
      const res = await request(op, c);
      const want = exp(op, c);
      const body = await res.text();
      const ok = res.status === (want === "allowed" ? 400 : want);
      if (!ok) wrong.push(`${op.method} ${op.path} (${op.id}) as ${c.label}: got ${res.status}, want ${want}: ${body.slice(0, 160)}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, next));
  return wrong;
}

describe("every operation answers each caller as the permission table says", () => {
  it("every operation names the fields it takes (so an unknown one is refused, here and for clients' typos)", () => {
    expect(OPERATIONS.filter((op) => inputFields(op.input) === null).map((op) => op.id)).toEqual([]);
  });

  it("team operations, for each role's session and each role × scope token", async () => {
    expect(teamOps.length).toBeGreaterThan(10);
    expect(await walk(teamOps, expected)).toEqual([]);
  }, 300_000);

  it("a user's own operations: sessions only, unless the operation takes tokens; nobody gets 401", async () => {
    const exp = (op: Operation, c: Caller): "allowed" | number => {
      if (c.label === "nobody" || c.label === "a made-up token") return 401;
      if (op.kind === "user" && c.scopes && !op.tokens) return 403;
      return "allowed";
    };
    expect(await walk(userOps, exp)).toEqual([]);
  }, 120_000);

  it("an allowed call with an unknown field is refused as input, naming the field", async () => {
    const op = teamOps.find((o) => o.id === "deployments.get")!;
    const owner = callers.find((c) => c.label === "OWNER session")!;
    const res = await request(op, owner);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("__walk");
  });
});
