import { describe, expect, it } from "vitest";
import { listAudit, listAuditActions } from "@/lib/data/audit";
import { createInvite } from "@/lib/data/invites";
import { renameTeam } from "@/lib/data/teams";
import { ForbiddenError } from "@/lib/errors";
import { addMember, makeTeam, uniq } from "./support/factory";

describe("audit log", () => {
  it("shows this team's events newest first, filtered by actor and action", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    await renameTeam(owner, { name: "First name" });
    await createInvite(admin, { email: `${uniq()}@example.test`, role: "VIEWER" });
    const other = await makeTeam();
    await renameTeam(other, { name: "Elsewhere" });

    const all = await listAudit(owner, { limit: 50 });
    expect(all.events.map((e) => e.action)).toEqual(["invite.create", "team.rename", "team.create"]);
    expect((await listAudit(owner, { limit: 50, actor: admin.actor.email })).events.map((e) => e.action)).toEqual(["invite.create"]);
    expect((await listAudit(owner, { limit: 50, action: "team." })).events.map((e) => e.action)).toEqual(["team.rename", "team.create"]);
    expect(await listAuditActions(owner)).toEqual(["invite.create", "team.create", "team.rename"]);

    const page = await listAudit(owner, { limit: 2 });
    expect(page.hasMore).toBe(true);
    const next = await listAudit(owner, { limit: 2, before: page.events[1]!.createdAt.toISOString() });
    expect(next.events.map((e) => e.action)).toEqual(["team.create"]);
  });

  it("is for admins and owners only", async () => {
    const owner = await makeTeam();
    const dev = await addMember(owner, "DEVELOPER");
    await expect(listAudit(dev, { limit: 10 })).rejects.toBeInstanceOf(ForbiddenError);
  });
});
