import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { readMemberships, resolveTeamContext, teamContextIn } from "@/lib/data/context";
import { createTeam, deleteTeam, listMyTeams, renameTeam, teamOverview } from "@/lib/data/teams";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { addMember, makeTeam, makeUser, uniq } from "./support/factory";

describe("teams", () => {
  it("makes the creator the owner and audits the creation", async () => {
    const user = await makeUser();
    const team = await createTeam(user, { name: "Platform Team" });
    expect(team.slug).toMatch(/^platform-team/);
    const ctx = await resolveTeamContext(user, team.slug);
    expect(ctx.role).toBe("OWNER");
    expect(await db.auditEvent.count({ where: { teamId: team.id, action: "team.create", actorId: user.id } })).toBe(1);
    expect((await listMyTeams(user)).map((t) => t.slug)).toEqual([team.slug]);
  });

  it("gives a generated slug a suffix when taken, and refuses a taken explicit slug", async () => {
    const a = await makeUser();
    const b = await makeUser();
    const slug = uniq("dup");
    await createTeam(a, { name: "Dup", slug });
    await expect(createTeam(b, { name: "Dup", slug })).rejects.toBeInstanceOf(ConflictError);
    const name = `Same ${uniq()}`;
    const first = await createTeam(a, { name });
    const second = await createTeam(b, { name });
    expect(second.slug).not.toBe(first.slug);
    await expect(createTeam(a, { name: "Reserved", slug: "settings" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("another team's slug is not found", async () => {
    const mine = await makeTeam();
    const theirs = await makeTeam();
    await expect(resolveTeamContext(mine.actor, theirs.team.slug)).rejects.toBeInstanceOf(NotFoundError);
    await expect(resolveTeamContext(mine.actor, "no-such-team")).rejects.toBeInstanceOf(NotFoundError);
    // A page's way in (its memberships read once for the team switcher): the same answers, the same context.
    const read = await readMemberships(mine.actor);
    expect(() => teamContextIn(read, theirs.team.slug)).toThrow(NotFoundError);
    expect(() => teamContextIn(read, "no-such-team")).toThrow(NotFoundError);
    expect(teamContextIn(read, mine.team.slug)).toEqual(await resolveTeamContext(mine.actor, mine.team.slug));
    expect(read.teams.map((t) => t.slug)).toEqual([mine.team.slug]);
  });

  it("lets admins rename but not developers or viewers", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    const dev = await addMember(owner, "DEVELOPER");
    await expect(renameTeam(dev, { name: "Nope" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(renameTeam(admin, { name: "x" })).rejects.toBeInstanceOf(ValidationError);
    expect((await renameTeam(admin, { name: "Renamed" })).name).toBe("Renamed");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { teamId: owner.team.id, action: "team.rename" } });
    expect(audit.actorId).toBe(admin.actor.id);
  });

  it("deletes only for an owner who typed the name; the audit row survives", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    await expect(deleteTeam(admin, { confirm: owner.team.name })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deleteTeam(owner, { confirm: "wrong" })).rejects.toBeInstanceOf(ValidationError);
    expect(await db.team.count({ where: { id: owner.team.id } })).toBe(1);
    await deleteTeam(owner, { confirm: owner.team.name });
    expect(await db.team.count({ where: { id: owner.team.id } })).toBe(0);
    expect(await db.membership.count({ where: { teamId: owner.team.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "team.delete", targetId: owner.team.id } })).toBe(1);
  });

  it("overview counts only this team's members", async () => {
    const a = await makeTeam();
    await addMember(a, "VIEWER");
    await makeTeam();
    expect((await teamOverview(a)).members).toBe(2);
  });
});
