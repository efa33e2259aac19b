import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  can,
  canAssignRole,
  canChangeEnvironment,
  canRemoveMember,
  containerPermission,
  inviteReadRole,
  ROLE_RANK,
  ROLES,
  type Action,
} from "@/lib/permissions";

// The whole table, written out: changing who may do what must change this data too.
// Columns: owner, admin, developer, viewer.
const Y = true;
const N = false;
const EXPECTED: Record<Action, [boolean, boolean, boolean, boolean]> = {
  "team.read": [Y, Y, Y, Y],
  "team.rename": [Y, Y, N, N],
  "team.delete": [Y, N, N, N],
  "member.manage": [Y, Y, N, N],
  "member.owners": [Y, N, N, N],
  "audit.read": [Y, Y, N, N],
  "outbox.read": [Y, Y, N, N],
  "host.read": [Y, Y, Y, Y],
  "host.manage": [Y, Y, N, N],
  "container.act": [Y, Y, Y, N],
  "container.act.protected": [Y, Y, N, N],
  "container.env": [Y, Y, Y, N],
  "container.env.protected": [Y, Y, N, N],
  "container.exec": [Y, Y, N, N],
  "project.read": [Y, Y, Y, Y],
  "project.write": [Y, Y, Y, N],
  "project.archive": [Y, Y, N, N],
  "project.delete": [Y, Y, N, N],
  "environment.protect": [Y, Y, N, N],
  "config.team": [Y, Y, N, N],
  "config.export-secrets": [Y, Y, N, N],
  "service.deploy": [Y, Y, Y, N],
  "preview.secrets": [Y, Y, N, N],
  "member.git-usernames": [Y, Y, Y, N],
  "token.manage": [Y, Y, N, N],
  "service.git-host-key": [Y, Y, N, N],
  "service.webhook-secret": [Y, Y, Y, N],
  "notification.read": [Y, Y, Y, N],
  "notification.manage": [Y, Y, N, N],
};

describe("permission table", () => {
  it("allows and denies exactly what is written here, for every action and every role", () => {
    expect([...ACTIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(ROLES).toEqual(["OWNER", "ADMIN", "DEVELOPER", "VIEWER"]);
    for (const action of ACTIONS) {
      expect({ action, allowed: ROLES.map((r) => can(r, action)) }).toEqual({ action, allowed: EXPECTED[action] });
    }
  });

  it("lets a container of a protected environment be acted on and revealed only as its configuration is changed", () => {
    for (const env of [{ protected: false }, { protected: true }]) {
      for (const role of ROLES) {
        expect(can(role, containerPermission("act", env))).toBe(canChangeEnvironment(role, env));
        expect(can(role, containerPermission("env", env))).toBe(canChangeEnvironment(role, env));
      }
    }
    expect(containerPermission("env", { protected: true })).toBe("container.env.protected");
    expect(containerPermission("act", { protected: false })).toBe("container.act");
  });

  it("lets an invite's email be read only by roles that could have created the invite", () => {
    expect(ROLES.map((r) => inviteReadRole(r))).toEqual(["OWNER", "ADMIN", "ADMIN", "ADMIN"]);
    for (const invited of ROLES) {
      for (const reader of ROLES) {
        const mayRead = ROLE_RANK[reader] >= ROLE_RANK[inviteReadRole(invited)];
        expect(mayRead).toBe(canAssignRole(reader, null, invited));
      }
    }
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
