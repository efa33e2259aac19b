// API tokens as the chain (lib/api/invoke.ts) sees them, against the real PostgreSQL: each scope opens exactly
// what the permission table gives it, limits hold a token to its project or environment, a revoked, expired or
// orphaned token is refused at once, a token follows its maker's current role, and every use is audited
// under the token's name.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { invoke } from "@/lib/api/invoke";
import { type Operation, teamOp } from "@/lib/api/operation";
import { cancelDeploymentOp, deployOp, getDeploymentOp, listDeploymentsOp } from "@/lib/api/operations/deployments";
import { createTokenOp, listTokensOp, revokeTokenOp } from "@/lib/api/operations/tokens";
import type { Principal } from "@/lib/api/principal";
import type { TeamContext } from "@/lib/data/context";
import { changeMemberRole } from "@/lib/data/members";
import { createProject } from "@/lib/data/projects";
import { createService } from "@/lib/data/services";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { ACTIONS, type Action, scopeFor } from "@/lib/permissions";
import { closeAdminRedis } from "@/lib/redis/admin";
import { SCOPES, type Scope, scopeCovers } from "@/lib/scopes";
import { openSignUp } from "../support/signup-policy";
import { addMember, makeTeam, membershipOf, uniq } from "./support/factory";

const IP = "203.0.113.7";

const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test-session" });
const bearer = (token: string): Principal => ({ kind: "token", token });

function call(op: Operation, who: Principal, team: string, input: Record<string, unknown> = {}) {
  return invoke(op, who, { team, input: () => input }, { ip: IP });
}

/** "ok", or the HTTP status the call failed with (anything else is a bug and fails the test). */
async function outcome(p: Promise<unknown>): Promise<"ok" | number> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof AppError) return e.status;
    throw e;
  }
}

/** An operation that needs `permission` and does nothing else: the chain's role, scope and limit checks alone. */
const probe = (permission: Action, method: "GET" | "POST" = "POST") =>
  teamOp({
    id: `probe.${permission}`,
    method,
    path: "/teams/{team}/probe",
    summary: "probe",
    permission,
    input: z.object({}),
    output: z.object({ ok: z.boolean() }),
    run: async () => ({ ok: true }),
  });

type Created = { id: string; token: string; name: string };

async function mint(ctx: TeamContext, body: Record<string, unknown>): Promise<Created> {
  return (await call(createTokenOp, session(ctx), ctx.team.slug, { name: uniq("tok"), expiresInDays: 30, ...body })) as Created;
}

/** A team with a host (never online: deployments wait in the queue) and an image service in each place. */
async function world() {
  const owner = await makeTeam();
  const host = await db.host.create({ data: { teamId: owner.team.id, name: uniq("host"), tokenHash: randomBytes(32).toString("hex") } });
  const service = (project: string, env: string) => createService(owner, project, env, { name: "web", image: "nginx:1.27", hostId: host.id });
  const a = await createProject(owner, { name: uniq("alpha") });
  const b = await createProject(owner, { name: uniq("beta") });
  const envs = await db.environment.findMany({ where: { projectId: a.id }, select: { id: true, slug: true } });
  const envId = (slug: string) => envs.find((e) => e.slug === slug)!.id;
  return {
    owner,
    a,
    b,
    stagingId: envId("staging"),
    aStaging: await service(a.slug, "staging"),
    aProduction: await service(a.slug, "production"),
    bStaging: await service(b.slug, "staging"),
  };
}

beforeAll(openSignUp); // the tests sign up strangers
afterAll(async () => {
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
});

describe("API tokens", () => {
  it("are shown once, stored only as a hash, listed without it, and their creation is audited", async () => {
    const owner = await makeTeam();
    const created = (await mint(owner, { name: "ci", scopes: ["read", "deploy"] })) as Created & Record<string, unknown>;
    expect(created.token).toMatch(/^berth_[A-Za-z0-9_-]{43}$/);
    expect(created).not.toHaveProperty("tokenHash");
    expect(created).toMatchObject({ name: "ci", scopes: ["read", "deploy"], status: "active", prefix: created.token.slice(0, 12) });
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(created.token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(created.token);

    const { tokens } = (await call(listTokensOp, session(owner), owner.team.slug)) as { tokens: Record<string, unknown>[] };
    expect(tokens.map((t) => t.id)).toEqual([created.id]);
    expect(tokens[0]).not.toHaveProperty("tokenHash");
    expect(tokens[0]).not.toHaveProperty("token");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { teamId: owner.team.id, action: "token.create" } });
    expect(audit).toMatchObject({ targetLabel: "ci", actorId: owner.actor.id });
  });

  it("refuses bad input with a clear message", async () => {
    const owner = await makeTeam();
    const other = await makeTeam();
    const otherProject = await createProject(other, { name: uniq("theirs") });
    const refusal = async (body: Record<string, unknown>) => {
      const e = await call(createTokenOp, session(owner), owner.team.slug, body).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AppError);
      return e as AppError & { fields: Record<string, string[]> };
    };
    expect((await refusal({ name: "x", scopes: [] })).fields.scopes).toEqual(["Choose at least one scope."]);
    expect((await refusal({ name: "x", scopes: ["root"] })).message).toMatch(/Scopes are: read, read:secrets/);
    expect((await refusal({ name: " ", scopes: ["read"] })).fields.name?.[0]).toMatch(/Name the token/);
    expect((await refusal({ name: "x", scopes: ["read"], expiresInDays: 400 })).fields.expiresInDays?.[0]).toMatch(/at most 366 days/);
    expect((await refusal({ name: "x", scopes: ["read"], projectId: otherProject.id })).fields.projectId).toEqual(["Not found."]);
    await mint(owner, { name: "twice", scopes: ["read"] });
    expect((await refusal({ name: "twice", scopes: ["read"] })).status).toBe(409);
    expect(await db.apiToken.count({ where: { teamId: owner.team.id } })).toBe(1);
  });

  it("each scope allows exactly the actions the permission table gives it", async () => {
    const owner = await makeTeam();
    const probes = ACTIONS.map((action) => probe(action));
    for (const scope of SCOPES) {
      const { token } = await mint(owner, { scopes: [scope] });
      for (const op of probes) {
        const expected = scopeCovers([scope], scopeFor(op.permission)) ? "ok" : 403;
        expect(`${scope} → ${op.permission}: ${await outcome(call(op, bearer(token), owner.team.slug))}`).toBe(`${scope} → ${op.permission}: ${expected}`);
      }
    }
  });

  it("deployment operations follow the token's scopes", async () => {
    const w = await world();
    const slug = w.owner.team.slug;
    const svc = { serviceId: w.aStaging.id };
    const scoped = async (scopes: Scope[]) => bearer((await mint(w.owner, { scopes })).token);

    const read = await scoped(["read"]);
    expect(await outcome(call(listDeploymentsOp, read, slug, svc))).toBe("ok");
    expect(await outcome(call(deployOp, read, slug, svc))).toBe(403);
    const secrets = await scoped(["read:secrets"]);
    expect(await outcome(call(listDeploymentsOp, secrets, slug, svc))).toBe("ok");
    expect(await outcome(call(deployOp, secrets, slug, svc))).toBe(403);

    const deploy = await scoped(["deploy"]);
    const d = (await call(deployOp, deploy, slug, svc)) as { id: string; number: number };
    expect(d.number).toBe(1);
    expect(await outcome(call(getDeploymentOp, read, slug, { deploymentId: d.id }))).toBe("ok");
    expect(await outcome(call(cancelDeploymentOp, read, slug, { deploymentId: d.id }))).toBe(403);
    expect(await call(cancelDeploymentOp, deploy, slug, { deploymentId: d.id })).toEqual({ ended: true });

    for (const scopes of [["write"], ["admin"]] as Scope[][]) {
      const t = await scoped(scopes);
      const next = (await call(deployOp, t, slug, svc)) as { id: string };
      expect(await call(cancelDeploymentOp, t, slug, { deploymentId: next.id })).toEqual({ ended: true });
    }
  });

  it("a token limited to a project or an environment reaches nothing outside it", async () => {
    const w = await world();
    const slug = w.owner.team.slug;
    const list = (who: Principal, serviceId: string) => outcome(call(listDeploymentsOp, who, slug, { serviceId }));
    const teamWide = probe("team.read", "GET"); // no targets: a team-wide operation

    const project = bearer((await mint(w.owner, { scopes: ["deploy"], projectId: w.a.id })).token);
    expect(await list(project, w.aStaging.id)).toBe("ok");
    expect(await list(project, w.aProduction.id)).toBe("ok");
    expect(await list(project, w.bStaging.id)).toBe(403);
    expect(await outcome(call(teamWide, project, slug))).toBe(403);

    const env = (await mint(w.owner, { scopes: ["deploy"], environmentId: w.stagingId })) as Created & { project: unknown; environment: unknown };
    expect(env).toMatchObject({ project: { slug: w.a.slug }, environment: { slug: "staging" } });
    const staging = bearer(env.token);
    expect(await list(staging, w.aStaging.id)).toBe("ok");
    expect(await list(staging, w.aProduction.id)).toBe(403);
    expect(await list(staging, w.bStaging.id)).toBe(403);
    expect(await outcome(call(teamWide, staging, slug))).toBe(403);
    // Deployments are placed by their service: one in production is out of reach, and so is deploying there.
    const prod = (await call(deployOp, session(w.owner), slug, { serviceId: w.aProduction.id })) as { id: string };
    expect(await outcome(call(getDeploymentOp, staging, slug, { deploymentId: prod.id }))).toBe(403);
    expect(await outcome(call(cancelDeploymentOp, staging, slug, { deploymentId: prod.id }))).toBe(403);
    expect(await outcome(call(deployOp, staging, slug, { serviceId: w.aProduction.id }))).toBe(403);
    expect(await outcome(call(getDeploymentOp, project, slug, { deploymentId: prod.id }))).toBe("ok");
    expect(await call(cancelDeploymentOp, session(w.owner), slug, { deploymentId: prod.id })).toEqual({ ended: true });
  });

  it("a revoked, expired or unknown token, or one whose maker left, is refused at once", async () => {
    const w = await world();
    const slug = w.owner.team.slug;
    const list = (token: string) => outcome(call(listDeploymentsOp, bearer(token), slug, { serviceId: w.aStaging.id }));

    const revoked = await mint(w.owner, { scopes: ["read"] });
    expect(await list(revoked.token)).toBe("ok");
    const after = (await call(revokeTokenOp, session(w.owner), slug, { tokenId: revoked.id })) as { status: string; revokedAt: string };
    expect(after.status).toBe("revoked");
    expect(await list(revoked.token)).toBe(401);
    expect(await db.auditEvent.count({ where: { teamId: w.owner.team.id, action: "token.revoke", targetId: revoked.id } })).toBe(1);
    // Revoking again changes nothing and writes no second audit row.
    expect(await call(revokeTokenOp, session(w.owner), slug, { tokenId: revoked.id })).toMatchObject({ status: "revoked", revokedAt: after.revokedAt });
    expect(await db.auditEvent.count({ where: { teamId: w.owner.team.id, action: "token.revoke", targetId: revoked.id } })).toBe(1);

    const expired = await mint(w.owner, { scopes: ["read"], expiresInDays: 7 });
    expect(await list(expired.token)).toBe("ok");
    await db.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await list(expired.token)).toBe(401);
    const { tokens } = (await call(listTokensOp, session(w.owner), slug)) as { tokens: { id: string; status: string }[] };
    expect(Object.fromEntries(tokens.map((t) => [t.id, t.status]))).toEqual({ [revoked.id]: "revoked", [expired.id]: "expired" });

    const dev = await addMember(w.owner, "DEVELOPER");
    const orphan = await mint(dev, { scopes: ["read"] });
    expect(await list(orphan.token)).toBe("ok");
    const m = await membershipOf(dev);
    await db.membership.delete({ where: { id: m.id } });
    expect(await list(orphan.token)).toBe(401);
    // Coming back to the team does not bring the old token back to life.
    await db.membership.create({ data: { teamId: m.teamId, userId: m.userId, role: m.role } });
    expect(await list(orphan.token)).toBe(401);

    expect(await list(`berth_${"A".repeat(43)}`)).toBe(401);
    expect(await list("not-a-token")).toBe(401);
  });

  it("a token never exceeds its maker's current role", async () => {
    const w = await world();
    const slug = w.owner.team.slug;
    const admin = await addMember(w.owner, "ADMIN");
    const { token } = await mint(admin, { scopes: ["admin"] });
    const svc = { serviceId: w.aStaging.id };
    const d = (await call(deployOp, bearer(token), slug, svc)) as { id: string };
    expect(await call(cancelDeploymentOp, bearer(token), slug, { deploymentId: d.id })).toEqual({ ended: true });

    await changeMemberRole(w.owner, { membershipId: (await membershipOf(admin)).id, role: "VIEWER" });
    expect(await outcome(call(deployOp, bearer(token), slug, svc))).toBe(403);
    expect(await outcome(call(listDeploymentsOp, bearer(token), slug, svc))).toBe("ok");
  });

  it("members cannot make tokens with scopes their role never allows", async () => {
    const owner = await makeTeam();
    const viewer = await addMember(owner, "VIEWER");
    const dev = await addMember(owner, "DEVELOPER");
    const refused = (ctx: TeamContext, scopes: Scope[]) =>
      call(createTokenOp, session(ctx), owner.team.slug, { name: uniq("t"), scopes }).catch((e: AppError) => e);
    for (const scope of ["write", "deploy", "read:secrets", "admin"] as Scope[]) {
      const e = (await refused(viewer, ["read", scope])) as AppError & { fields: Record<string, string[]> };
      expect(e.status).toBe(400);
      expect(e.fields.scopes?.[0]).toContain(`"${scope}" needs the`);
    }
    expect(((await refused(dev, ["admin"])) as AppError).status).toBe(400);
    expect((await mint(viewer, { scopes: ["read"] })).token).toMatch(/^berth_/);
    expect((await mint(dev, { scopes: ["read:secrets", "deploy", "write"] })).token).toMatch(/^berth_/);
    expect(await db.apiToken.count({ where: { teamId: owner.team.id } })).toBe(2);
  });

  it("records the last use and audits every use under the token's name", async () => {
    const w = await world();
    const slug = w.owner.team.slug;
    const made = await mint(w.owner, { name: "ci-deploy", scopes: ["deploy"] });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: made.id } })).lastUsedAt).toBeNull();
    await call(listDeploymentsOp, bearer(made.token), slug, { serviceId: w.aStaging.id });
    const used = await db.apiToken.findUniqueOrThrow({ where: { id: made.id } });
    expect(used.lastUsedAt).toBeInstanceOf(Date);
    expect(used.lastUsedIp).toBe(IP);
    const { tokens } = (await call(listTokensOp, session(w.owner), slug)) as { tokens: { lastUsedAt: string; lastUsedIp: string }[] };
    expect(tokens[0]).toMatchObject({ lastUsedAt: used.lastUsedAt!.toISOString(), lastUsedIp: IP });

    const read = await db.auditEvent.findFirstOrThrow({ where: { teamId: w.owner.team.id, action: "api.read" } });
    expect(read).toMatchObject({ tokenName: "ci-deploy", actorId: w.owner.actor.id, targetLabel: "deployments.list" });
    const d = (await call(deployOp, bearer(made.token), slug, { serviceId: w.aStaging.id })) as { id: string };
    await call(cancelDeploymentOp, bearer(made.token), slug, { deploymentId: d.id });
    const writes = await db.auditEvent.findMany({ where: { teamId: w.owner.team.id, action: { in: ["deployment.create", "deployment.cancel"] } } });
    expect(writes.map((e) => [e.action, e.tokenName]).sort()).toEqual([
      ["deployment.cancel", "ci-deploy"],
      ["deployment.create", "ci-deploy"],
    ]);
    // A session's own acts carry no token name.
    expect((await db.auditEvent.findFirstOrThrow({ where: { teamId: w.owner.team.id, action: "service.create" } })).tokenName).toBeNull();
  });

  it("tokens cannot list, make or revoke tokens", async () => {
    const owner = await makeTeam();
    const made = await mint(owner, { scopes: ["admin"] });
    const slug = owner.team.slug;
    expect(await outcome(call(listTokensOp, bearer(made.token), slug))).toBe(403);
    expect(await outcome(call(createTokenOp, bearer(made.token), slug, { name: "successor", scopes: ["admin"] }))).toBe(403);
    expect(await outcome(call(revokeTokenOp, bearer(made.token), slug, { tokenId: made.id }))).toBe(403);
    expect(await outcome(call(listTokensOp, bearer(`berth_${"B".repeat(43)}`), slug))).toBe(401);
    expect(await outcome(call(listTokensOp, { kind: "anonymous" }, slug))).toBe(401);
    expect(await db.apiToken.count({ where: { teamId: owner.team.id, revokedAt: null } })).toBe(1);
  });

  it("members see and revoke their own tokens; admins everyone's; another team's are not found", async () => {
    const owner = await makeTeam();
    const slug = owner.team.slug;
    const dev = await addMember(owner, "DEVELOPER");
    const admin = await addMember(owner, "ADMIN");
    const devToken = await mint(dev, { scopes: ["read"] });
    const ownerToken = await mint(owner, { scopes: ["read"] });
    const ids = async (ctx: TeamContext) => ((await call(listTokensOp, session(ctx), slug)) as { tokens: { id: string }[] }).tokens.map((t) => t.id).sort();
    expect(await ids(dev)).toEqual([devToken.id]);
    expect(await ids(admin)).toEqual([devToken.id, ownerToken.id].sort());
    expect(await outcome(call(revokeTokenOp, session(dev), slug, { tokenId: ownerToken.id }))).toBe(404);
    expect(await outcome(call(revokeTokenOp, session(admin), slug, { tokenId: devToken.id }))).toBe("ok");
    expect((await db.auditEvent.findFirstOrThrow({ where: { action: "token.revoke", targetId: devToken.id } })).actorId).toBe(admin.actor.id);

    const other = await makeTeam();
    expect(await outcome(call(revokeTokenOp, session(other), other.team.slug, { tokenId: ownerToken.id }))).toBe(404);
    expect(await outcome(call(revokeTokenOp, session(other), slug, { tokenId: ownerToken.id }))).toBe(404); // not a member there
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: ownerToken.id } })).revokedAt).toBeNull();
    // A token used with another team's slug: that team is simply not found.
    const read = probe("team.read", "GET");
    expect(await outcome(call(read, bearer(ownerToken.token), other.team.slug))).toBe(404);
    expect(await outcome(call(read, bearer(ownerToken.token), slug))).toBe("ok");
  });
});
