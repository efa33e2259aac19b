import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { acceptInvite, acceptInviteAsNewUser, createInvite, listInvites, previewInvite, revokeInvite } from "@/lib/data/invites";
import { resolveTeamContext } from "@/lib/data/context";
import { listOutbox } from "@/lib/data/outbox";
import { ConflictError, ForbiddenError, GoneError, NotFoundError, ValidationError } from "@/lib/errors";
import { addMember, makeTeam, makeUser, PASSWORD, uniq } from "./support/factory";

const tokenOf = (url: string) => url.split("/invite/")[1]!;

describe("invites", () => {
  it("binds to an email, carries the role and is single use", async () => {
    const owner = await makeTeam();
    const guest = await makeUser("Guest");
    const invite = await createInvite(owner, { email: guest.email.toUpperCase(), role: "DEVELOPER" });
    expect(invite.email).toBe(guest.email);
    const days = (invite.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const stored = await db.invite.findUniqueOrThrow({ where: { id: invite.id } });
    expect(stored.tokenHash).not.toContain(tokenOf(invite.url));

    const stranger = await makeUser();
    await expect(acceptInvite(stranger, tokenOf(invite.url))).rejects.toBeInstanceOf(ForbiddenError);
    const team = await acceptInvite(guest, tokenOf(invite.url));
    expect(team.slug).toBe(owner.team.slug);
    expect((await resolveTeamContext(guest, owner.team.slug)).role).toBe("DEVELOPER");
    await expect(acceptInvite(guest, tokenOf(invite.url))).rejects.toThrow(/already been used/);
    expect((await previewInvite(tokenOf(invite.url))).status).toBe("accepted");
  });

  it("refuses revoked, expired and unknown invites", async () => {
    const owner = await makeTeam();
    const guest = await makeUser();
    const revoked = await createInvite(owner, { email: guest.email, role: "VIEWER" });
    await revokeInvite(owner, { inviteId: revoked.id });
    await expect(acceptInvite(guest, tokenOf(revoked.url))).rejects.toThrow(/revoked/);

    const expired = await createInvite(owner, { email: guest.email, role: "VIEWER", expiresInDays: 1 });
    await db.invite.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(acceptInvite(guest, tokenOf(expired.url))).rejects.toBeInstanceOf(GoneError);
    expect((await listInvites(owner)).find((i) => i.id === expired.id)?.status).toBe("expired");

    await expect(acceptInvite(guest, "not-a-real-token")).rejects.toBeInstanceOf(NotFoundError);
    await expect(resolveTeamContext(guest, owner.team.slug)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("re-inviting an email replaces its pending invite; members cannot be invited", async () => {
    const owner = await makeTeam();
    const email = `${uniq()}@example.test`;
    const first = await createInvite(owner, { email, role: "VIEWER" });
    await createInvite(owner, { email, role: "ADMIN" });
    expect((await listInvites(owner)).filter((i) => i.email === email).map((i) => i.role)).toEqual(["ADMIN"]);
    await expect(previewInvite(tokenOf(first.url))).resolves.toMatchObject({ status: "revoked" });
    await expect(createInvite(owner, { email: owner.actor.email, role: "VIEWER" })).rejects.toBeInstanceOf(ConflictError);
  });

  it("only admins invite, and never above their own role", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    const viewer = await addMember(owner, "VIEWER");
    await expect(createInvite(viewer, { email: `${uniq()}@example.test`, role: "VIEWER" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createInvite(admin, { email: `${uniq()}@example.test`, role: "OWNER" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createInvite(admin, { email: "bad", role: "VIEWER" })).rejects.toBeInstanceOf(ValidationError);
    expect(await db.invite.count({ where: { teamId: owner.team.id } })).toBe(0);
  });

  it("signing up through an invite creates the account and membership together, or neither", async () => {
    const owner = await makeTeam();
    const email = `${uniq()}@example.test`;
    const invite = await createInvite(owner, { email, role: "VIEWER" });
    await expect(acceptInviteAsNewUser(tokenOf(invite.url), { name: "New", password: "short" })).rejects.toBeInstanceOf(ValidationError);
    expect(await db.user.count({ where: { email } })).toBe(0);
    const { user, team } = await acceptInviteAsNewUser(tokenOf(invite.url), { name: "New Person", password: PASSWORD });
    expect(user.email).toBe(email);
    expect((await resolveTeamContext(user, team.slug)).role).toBe("VIEWER");
    const actions = (await db.auditEvent.findMany({ where: { actorId: user.id }, orderBy: { createdAt: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["user.signup", "invite.accept"]);
  });

  it("another team's invite ids are not found", async () => {
    const mine = await makeTeam();
    const theirs = await makeTeam();
    const invite = await createInvite(theirs, { email: `${uniq()}@example.test`, role: "VIEWER" });
    await expect(revokeInvite(mine, { inviteId: invite.id })).rejects.toBeInstanceOf(NotFoundError);
    expect((await listInvites(mine)).some((i) => i.id === invite.id)).toBe(false);
    expect((await db.invite.findUniqueOrThrow({ where: { id: invite.id } })).revokedAt).toBeNull();
  });

  it("an owner invite's link is readable only by owners: not in an admin's outbox, nor in the invites list", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    const ownerInvite = await createInvite(owner, { email: `${uniq()}@example.test`, role: "OWNER" });
    const adminInvite = await createInvite(owner, { email: `${uniq()}@example.test`, role: "ADMIN" });
    const devInvite = await createInvite(admin, { email: `${uniq()}@example.test`, role: "DEVELOPER" });
    const rows = await db.outboxEmail.findMany({ where: { teamId: owner.team.id }, select: { to: true, readRole: true } });
    expect(Object.fromEntries(rows.map((r) => [r.to, r.readRole]))).toEqual({
      [ownerInvite.email]: "OWNER",
      [adminInvite.email]: "ADMIN",
      [devInvite.email]: "ADMIN",
    });

    const seenBy = async (ctx: typeof owner) => (await listOutbox(ctx)).map((m) => m.to).sort();
    expect(await seenBy(owner)).toEqual([ownerInvite.email, adminInvite.email, devInvite.email].sort());
    expect(await seenBy(admin)).toEqual([adminInvite.email, devInvite.email].sort());
    expect(JSON.stringify(await listOutbox(admin))).not.toContain(tokenOf(ownerInvite.url));
    // The invites list carries no link at all (only a hash of the token is stored), for anyone.
    for (const ctx of [owner, admin]) expect(JSON.stringify(await listInvites(ctx))).not.toMatch(new RegExp(`${tokenOf(ownerInvite.url)}|/invite/`));
    await expect(listOutbox(await addMember(owner, "DEVELOPER"))).rejects.toBeInstanceOf(ForbiddenError);
  });
});
