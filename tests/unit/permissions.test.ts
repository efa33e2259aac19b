import { describe, expect, it } from "vitest";
import { can, canAssignRole, canRemoveMember, ROLES } from "@/lib/permissions";

describe("permission table", () => {
  it("orders roles owner > admin > developer > viewer", () => {
    expect(ROLES.map((r) => can(r, "team.read"))).toEqual([true, true, true, true]);
    expect(ROLES.map((r) => can(r, "member.manage"))).toEqual([true, true, false, false]);
    expect(ROLES.map((r) => can(r, "audit.read"))).toEqual([true, true, false, false]);
    expect(ROLES.map((r) => can(r, "team.rename"))).toEqual([true, true, false, false]);
    expect(ROLES.map((r) => can(r, "team.delete"))).toEqual([true, false, false, false]);
    expect(ROLES.map((r) => can(r, "host.read"))).toEqual([true, true, true, true]);
    expect(ROLES.map((r) => can(r, "host.manage"))).toEqual([true, true, false, false]);
    expect(ROLES.map((r) => can(r, "container.act"))).toEqual([true, true, true, false]);
    expect(ROLES.map((r) => can(r, "container.env"))).toEqual([true, true, true, false]);
    expect(ROLES.map((r) => can(r, "container.exec"))).toEqual([true, true, false, false]);
  });

  it("lets nobody hand out more than they hold, and only owners touch owners", () => {
    expect(canAssignRole("OWNER", null, "OWNER")).toBe(true);
    expect(canAssignRole("ADMIN", null, "ADMIN")).toBe(true);
    expect(canAssignRole("ADMIN", null, "OWNER")).toBe(false);
    expect(canAssignRole("ADMIN", "OWNER", "VIEWER")).toBe(false);
    expect(canAssignRole("ADMIN", "DEVELOPER", "VIEWER")).toBe(true);
    expect(canAssignRole("DEVELOPER", null, "VIEWER")).toBe(false);
    expect(canAssignRole("VIEWER", "VIEWER", "VIEWER")).toBe(false);
  });

  it("lets admins remove up to admins, and only owners remove owners", () => {
    expect(canRemoveMember("ADMIN", "DEVELOPER")).toBe(true);
    expect(canRemoveMember("ADMIN", "ADMIN")).toBe(true);
    expect(canRemoveMember("ADMIN", "OWNER")).toBe(false);
    expect(canRemoveMember("OWNER", "OWNER")).toBe(true);
    expect(canRemoveMember("DEVELOPER", "VIEWER")).toBe(false);
  });
});
