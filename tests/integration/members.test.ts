import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { changeMemberRole, leaveTeam, listMembers, removeMember } from "@/lib/data/members";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { addMember, makeTeam, membershipOf } from "./support/factory";

describe("members", () => {
  it("lists only this team's members, and only for admins", async () => {
    const owner = await makeTeam();
    const viewer = await addMember(owner, "VIEWER");
    await makeTeam();
    expect((await listMembers(owner)).map((m) => m.role).sort()).toEqual(["OWNER", "VIEWER"]);
    await expect(listMembers(viewer)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("changes roles within the actor's own rank and audits it", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    const dev = await addMember(owner, "DEVELOPER");
    const devM = await membershipOf(dev);
    await changeMemberRole(admin, { membershipId: devM.id, role: "VIEWER" });
    expect((await membershipOf(dev)).role).toBe("VIEWER");
    await expect(changeMemberRole(admin, { membershipId: devM.id, role: "OWNER" })).rejects.toBeInstanceOf(ForbiddenError);
    const ownerM = await membershipOf(owner);
    await expect(changeMemberRole(admin, { membershipId: ownerM.id, role: "VIEWER" })).rejects.toBeInstanceOf(ForbiddenError);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { teamId: owner.team.id, action: "member.role" } });
    expect(audit.data).toEqual({ role: { from: "DEVELOPER", to: "VIEWER" } });
  });

  it("never demotes or removes the last owner, and lets an owner leave once another exists", async () => {
    const owner = await makeTeam();
    const ownerM = await membershipOf(owner);
    await expect(changeMemberRole(owner, { membershipId: ownerM.id, role: "ADMIN" })).rejects.toBeInstanceOf(ValidationError);
    await expect(leaveTeam(owner)).rejects.toThrow(/last owner/);
    const second = await addMember(owner, "ADMIN");
    await changeMemberRole(owner, { membershipId: (await membershipOf(second)).id, role: "OWNER" });
    await leaveTeam(owner);
    expect(await db.membership.count({ where: { teamId: owner.team.id, role: "OWNER" } })).toBe(1);
    expect(await db.auditEvent.count({ where: { teamId: owner.team.id, action: "member.leave" } })).toBe(1);
  });

  it("removes members, but not oneself and not above one's rank", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    const viewer = await addMember(owner, "VIEWER");
    await expect(removeMember(admin, { membershipId: (await membershipOf(admin)).id })).rejects.toThrow(/Leave team/);
    await expect(removeMember(admin, { membershipId: (await membershipOf(owner)).id })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(removeMember(viewer, { membershipId: (await membershipOf(admin)).id })).rejects.toBeInstanceOf(ForbiddenError);
    await removeMember(admin, { membershipId: (await membershipOf(viewer)).id });
    expect(await db.membership.count({ where: { teamId: owner.team.id } })).toBe(2);
  });

  it("another team's membership ids are not found", async () => {
    const mine = await makeTeam();
    const theirs = await makeTeam();
    const theirDev = await addMember(theirs, "DEVELOPER");
    const id = (await membershipOf(theirDev)).id;
    await expect(changeMemberRole(mine, { membershipId: id, role: "VIEWER" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(removeMember(mine, { membershipId: id })).rejects.toBeInstanceOf(NotFoundError);
    expect((await membershipOf(theirDev)).role).toBe("DEVELOPER");
  });
});
