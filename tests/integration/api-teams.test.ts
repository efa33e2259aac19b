// Teams, members and invites through the chain (lib/api/invoke.ts), as the console's forms and the JSON API
// call them: what each answers, what tokens may not do, and that an invite's token works once.
import { describe, expect, it } from "vitest";
import { invoke } from "@/lib/api/invoke";
import type { Operation } from "@/lib/api/operation";
import {
  acceptInviteOp,
  changeRoleOp,
  createInviteOp,
  inviteSignUpOp,
  listInvitesOp,
  listMembersOp,
  removeMemberOp,
  revokeInviteOp,
} from "@/lib/api/operations/members";
import { deleteTeamOp, getTeamOp, leaveTeamOp } from "@/lib/api/operations/teams";
import type { Principal } from "@/lib/api/principal";
import { createApiToken } from "@/lib/data/api-tokens";
import type { TeamContext } from "@/lib/data/context";
import { createProject } from "@/lib/data/projects";
import { db } from "@/lib/db";
import { ForbiddenError, GoneError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { addMember, makeTeam, makeUser, membershipOf, PASSWORD, uniq } from "./support/factory";
import "./support/open-signup"; // the tests sign up strangers

const META = { ip: "127.0.0.1" };
const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test" });
const call = (op: Operation, who: Principal, team?: string, input: Record<string, unknown> = {}) => invoke(op, who, { team, input: () => input }, META);

async function token(ctx: TeamContext, input: Record<string, unknown>): Promise<Principal> {
  const t = await createApiToken(ctx, { name: uniq("tok"), ...input });
  return { kind: "token", token: t.token };
}

type Invite = { id: string; url: string };

describe("invites", () => {
  it("shows the link once, lists the invite without it, and the invited user joins with it once", async () => {
    const owner = await makeTeam();
    const user = await makeUser("Invited");
    const created = (await call(createInviteOp, session(owner), owner.team.slug, { email: user.email, role: "DEVELOPER" })) as Invite;
    expect(Object.keys(created).sort()).toEqual(["email", "expiresAt", "id", "role", "url"]);
    const listed = (await call(listInvitesOp, session(owner), owner.team.slug)) as { invites: Record<string, unknown>[] };
    expect(listed.invites).toEqual([expect.objectContaining({ id: created.id, status: "pending", createdBy: { email: owner.actor.email } })]);
    expect(JSON.stringify(listed)).not.toContain(created.url.split("/").at(-1));

    const inviteToken = created.url.split("/").at(-1)!;
    await expect(call(acceptInviteOp, { kind: "anonymous" }, undefined, { token: inviteToken })).rejects.toBeInstanceOf(UnauthorizedError);
    const who: Principal = { kind: "session", user, sessionId: "test" };
    expect(await call(acceptInviteOp, who, undefined, { token: inviteToken })).toEqual({ slug: owner.team.slug, name: owner.team.name });
    await expect(call(acceptInviteOp, who, undefined, { token: inviteToken })).rejects.toBeInstanceOf(GoneError);
    expect((await db.membership.findFirstOrThrow({ where: { teamId: owner.team.id, userId: user.id } })).role).toBe("DEVELOPER");
  });

  it("makes the account and the membership together when signing up through an invite", async () => {
    const owner = await makeTeam();
    const email = `${uniq("new")}@example.test`;
    const created = (await call(createInviteOp, session(owner), owner.team.slug, { email, role: "VIEWER" })) as Invite;
    const out = await call(inviteSignUpOp, { kind: "anonymous" }, undefined, { token: created.url.split("/").at(-1), name: "New Person", password: PASSWORD });
    expect(out).toEqual({ user: { id: expect.any(String), email, name: "New Person" }, team: { slug: owner.team.slug, name: owner.team.name } });
    expect(await db.membership.count({ where: { teamId: owner.team.id, user: { email } } })).toBe(1);
  });

  it("revokes an invite, after which its link does not work", async () => {
    const owner = await makeTeam();
    const user = await makeUser("Revoked");
    const created = (await call(createInviteOp, session(owner), owner.team.slug, { email: user.email, role: "VIEWER" })) as Invite;
    expect(await call(revokeInviteOp, session(owner), owner.team.slug, { inviteId: created.id })).toBeUndefined();
    const who: Principal = { kind: "session", user, sessionId: "test" };
    await expect(call(acceptInviteOp, who, undefined, { token: created.url.split("/").at(-1) })).rejects.toBeInstanceOf(GoneError);
  });
});

describe("members", () => {
  it("lists members without private columns, changes a role and removes a member", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    const listed = (await call(listMembersOp, session(owner), owner.team.slug)) as { members: { id: string; user: Record<string, unknown> }[] };
    expect(listed.members).toHaveLength(2);
    for (const m of listed.members) expect(Object.keys(m.user).sort()).toEqual(["email", "id", "name"]);

    const m = await membershipOf(admin);
    expect(await call(changeRoleOp, session(owner), owner.team.slug, { membershipId: m.id, role: "DEVELOPER" })).toEqual({
      id: m.id,
      role: "DEVELOPER",
      userId: admin.actor.id,
    });
    await call(removeMemberOp, session(owner), owner.team.slug, { membershipId: m.id });
    expect(await db.membership.count({ where: { id: m.id } })).toBe(0);
  });

  it("holds tokens to their scope, and limited tokens away from team-wide operations", async () => {
    const owner = await makeTeam();
    const reader = await token(owner, { scopes: ["read"] });
    await expect(call(listMembersOp, reader, owner.team.slug)).rejects.toThrow(/"admin" scope/);
    expect(await call(getTeamOp, reader, owner.team.slug)).toEqual(expect.objectContaining({ role: "OWNER", members: 1 }));
    const project = await createProject(owner, { name: "Api" });
    const limited = await token(owner, { scopes: ["admin"], projectId: project.id });
    await expect(call(getTeamOp, limited, owner.team.slug)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(call(listMembersOp, limited, owner.team.slug)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("leaving and deleting", () => {
  it("lets a member leave with a session but never through a token", async () => {
    const owner = await makeTeam();
    const dev = await addMember(owner, "DEVELOPER");
    await expect(call(leaveTeamOp, await token(dev, { scopes: ["read"] }), owner.team.slug)).rejects.toBeInstanceOf(ForbiddenError);
    await call(leaveTeamOp, session(dev), owner.team.slug);
    expect(await db.membership.count({ where: { teamId: owner.team.id, userId: dev.actor.id } })).toBe(0);
    await expect(call(leaveTeamOp, session(owner), owner.team.slug)).rejects.toThrow(/last owner/);
  });

  it("deletes only with the team's name typed", async () => {
    const owner = await makeTeam();
    await expect(call(deleteTeamOp, session(owner), owner.team.slug, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(call(deleteTeamOp, session(owner), owner.team.slug, { confirm: "nope" })).rejects.toBeInstanceOf(ValidationError);
    await call(deleteTeamOp, session(owner), owner.team.slug, { confirm: owner.team.name });
    expect(await db.team.count({ where: { id: owner.team.id } })).toBe(0);
  });
});
