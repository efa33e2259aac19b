// The caller's own operations and the team-wide ones through the chain (lib/api/invoke.ts), as the CLI calls
// them: `GET /me` for a session and for real API tokens, the team list a token sees, the audit log naming the
// token a change was made through, and the live stream that limited tokens cannot follow.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { invoke } from "@/lib/api/invoke";
import type { Operation } from "@/lib/api/operation";
import { meOp, updateProfileOp } from "@/lib/api/operations/account";
import { listAuditOp, listTeamsOp, renameTeamOp, teamLiveOp } from "@/lib/api/operations/teams";
import type { Principal } from "@/lib/api/principal";
import { createApiToken, revokeApiToken } from "@/lib/data/api-tokens";
import type { TeamContext } from "@/lib/data/context";
import { createProject } from "@/lib/data/projects";
import { createTeam } from "@/lib/data/teams";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ForbiddenError, UnauthorizedError } from "@/lib/errors";
import { publishLive } from "@/lib/live/publish";
import { makeTeam, uniq } from "./support/factory";
import "./support/open-signup"; // the tests sign up strangers

const META = { ip: "127.0.0.1" };
const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test" });
const call = (op: Operation, who: Principal, team?: string, input: Record<string, unknown> = {}) => invoke(op, who, { team, input: () => input }, META);

async function token(ctx: TeamContext, input: Record<string, unknown>) {
  const t = await createApiToken(ctx, { name: uniq("tok"), ...input });
  return { id: t.id, name: t.name, principal: { kind: "token", token: t.token } as Principal };
}

const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
afterAll(() => redis.quit());

describe("GET /me", () => {
  it("names the signed-in user, with no team or token for a session", async () => {
    const ctx = await makeTeam();
    expect(await call(meOp, session(ctx))).toEqual({
      user: { id: ctx.actor.id, email: ctx.actor.email, name: ctx.actor.name },
      team: null,
      token: null,
    });
  });

  it("names a token's team, scopes and expiry, and nothing more", async () => {
    const ctx = await makeTeam();
    const t = await token(ctx, { scopes: ["deploy", "read"], expiresInDays: 30 });
    const me = (await call(meOp, t.principal)) as { token: { expiresAt: string } };
    expect(me).toEqual({
      user: { id: ctx.actor.id, email: ctx.actor.email, name: ctx.actor.name },
      team: { slug: ctx.team.slug, name: ctx.team.name },
      token: { name: t.name, scopes: ["deploy", "read"], expiresAt: expect.any(String), project: null, environment: null },
    });
    const days = (Date.parse(me.token.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    // What the JSON API would send is the same (dates already as text).
    expect(JSON.parse(JSON.stringify(me))).toEqual(me);
  });

  it("names the project and environment a token is limited to, and a token that never expires", async () => {
    const ctx = await makeTeam();
    const project = await createProject(ctx, { name: "Shop" });
    const staging = await db.environment.findFirstOrThrow({ where: { projectId: project.id, slug: "staging" } });
    const envToken = await token(ctx, { scopes: ["read"], environmentId: staging.id, expiresInDays: 0 });
    expect(((await call(meOp, envToken.principal)) as { token: unknown }).token).toEqual({
      name: envToken.name,
      scopes: ["read"],
      expiresAt: null,
      project: project.slug,
      environment: "staging",
    });
    const projectToken = await token(ctx, { scopes: ["read"], projectId: project.id });
    expect(((await call(meOp, projectToken.principal)) as { token: unknown }).token).toEqual(
      expect.objectContaining({ project: project.slug, environment: null }),
    );
  });

  it("refuses nobody, a revoked token and a made-up one with 401", async () => {
    const ctx = await makeTeam();
    const t = await token(ctx, { scopes: ["read"] });
    await revokeApiToken(ctx, t.id);
    await expect(call(meOp, { kind: "anonymous" })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(call(meOp, t.principal)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(call(meOp, { kind: "token", token: `berth_${"x".repeat(43)}` })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("tells two live tokens of one name apart (two creations that raced past the name check)", async () => {
    const ctx = await makeTeam();
    const a = await token(ctx, { scopes: ["read"] });
    const name = a.name;
    await db.apiToken.create({
      data: { teamId: ctx.team.id, userId: ctx.actor.id, name, prefix: "berth_racing", tokenHash: uniq("hash"), scopes: ["admin"] },
    });
    const me = (await call(meOp, a.principal)) as { token: { name: string; scopes: string[] } };
    expect(me.token).toMatchObject({ name, scopes: ["read"] });
  });
});

describe("a token among the caller's own operations", () => {
  it("sees only its own team in the team list; a session sees all of the user's teams", async () => {
    const ctx = await makeTeam();
    const other = await createTeam(ctx.actor, { name: "Second", slug: uniq("second") });
    const t = await token(ctx, { scopes: ["read"] });
    const slugs = (out: unknown) => (out as { teams: { slug: string }[] }).teams.map((x) => x.slug);
    expect(slugs(await call(listTeamsOp, t.principal))).toEqual([ctx.team.slug]);
    expect(slugs(await call(listTeamsOp, session(ctx))).sort()).toEqual([ctx.team.slug, other.slug].sort());
  });

  it("cannot change the account (session only)", async () => {
    const ctx = await makeTeam();
    const t = await token(ctx, { scopes: ["admin"] });
    await expect(call(updateProfileOp, t.principal, undefined, { name: "Mallory" })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await db.user.findUniqueOrThrow({ where: { id: ctx.actor.id } })).name).toBe(ctx.actor.name);
  });
});

describe("team-wide operations and tokens", () => {
  it("the audit log names the token a change was made through", async () => {
    const ctx = await makeTeam();
    const t = await token(ctx, { scopes: ["admin"] });
    await call(renameTeamOp, t.principal, ctx.team.slug, { name: "Renamed by CI" });
    const out = (await call(listAuditOp, session(ctx), ctx.team.slug, { action: "team.rename" })) as {
      events: { action: string; tokenName: string | null; actorEmail: string; createdAt: string }[];
      hasMore: boolean;
    };
    expect(out.hasMore).toBe(false);
    expect(out.events).toEqual([
      expect.objectContaining({ action: "team.rename", tokenName: t.name, actorEmail: ctx.actor.email, createdAt: expect.any(String) }),
    ]);
  });

  it("the live stream passes pushes to a team-wide token and refuses a limited one", async () => {
    const ctx = await makeTeam();
    const project = await createProject(ctx, { name: "Web" });
    const limited = await token(ctx, { scopes: ["read"], projectId: project.id });
    await expect(call(teamLiveOp, limited.principal, ctx.team.slug)).rejects.toBeInstanceOf(ForbiddenError);

    const full = await token(ctx, { scopes: ["read"] });
    const stop = new AbortController();
    const res = await invoke(teamLiveOp, full.principal, { team: ctx.team.slug, input: () => ({}) }, { ...META, signal: stop.signal });
    expect(res).toBeInstanceOf(Response);
    expect((res as Response).headers.get("content-type")).toBe("text/event-stream");
    const reader = (res as Response).body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += decoder.decode(value);
      }
    };
    await until("event: ready"); // subscribed
    await publishLive(redis, ctx.team.id, { hostId: "h-1", kind: "containers" });
    await until('"hostId":"h-1"');
    stop.abort();
    await until("\0never").catch((e) => expect(String(e)).toMatch(/stream ended/));
  });
});
