// The one permission table. Every authorisation check in Berth asks `can(role, action)`.
import type { Role } from "@/lib/generated/prisma/enums";
import type { Scope } from "@/lib/scopes";

export const ROLES = ["OWNER", "ADMIN", "DEVELOPER", "VIEWER"] as const satisfies readonly Role[];

/** Higher rank, more power. */
export const ROLE_RANK: Record<Role, number> = { OWNER: 4, ADMIN: 3, DEVELOPER: 2, VIEWER: 1 };

export const ROLE_LABEL: Record<Role, string> = {
  OWNER: "Owner",
  ADMIN: "Admin",
  DEVELOPER: "Developer",
  VIEWER: "Viewer",
};

// Each action: the least role that may do it, and the API token scope it needs (lib/scopes.ts).
const table = {
  "team.read": ["VIEWER", "read"],
  "team.rename": ["ADMIN", "admin"],
  "team.delete": ["OWNER", "admin"],
  "member.manage": ["ADMIN", "admin"], // list, invite, revoke, change roles, remove (never above their own role)
  "member.owners": ["OWNER", "admin"], // invite, promote, demote or remove an owner; read an owner invite's email
  "audit.read": ["ADMIN", "read"],
  "outbox.read": ["ADMIN", "admin"], // each email only for roles that could have sent it (`OutboxEmail.readRole`)
  "host.read": ["VIEWER", "read"], // hosts, containers, logs, stats, images
  "host.manage": ["ADMIN", "admin"], // add, rename, remove hosts
  "container.act": ["DEVELOPER", "deploy"], // start, stop, restart, kill, remove; remove unused images
  "container.act.protected": ["ADMIN", "deploy"], // the same, on a container of a protected environment's service
  "container.env": ["DEVELOPER", "read:secrets"], // reveal environment values (secrets included)
  "container.env.protected": ["ADMIN", "read:secrets"], // the same, on a container of a protected environment's service
  "container.exec": ["ADMIN", "admin"], // the terminal
  "project.read": ["VIEWER", "read"], // projects, environments, services, variables (secrets always masked)
  "project.write": ["DEVELOPER", "write"], // create and rename projects, add and clone environments, edit configuration
  "service.deploy": ["DEVELOPER", "deploy"], // deploy, cancel, roll back, promote (admins only in a protected environment)
  "project.archive": ["ADMIN", "write"],
  "project.delete": ["ADMIN", "admin"], // delete a project or an environment, with its services and what they run on hosts
  "environment.protect": ["ADMIN", "admin"], // protect or unprotect an environment; change a protected one
  "config.team": ["ADMIN", "write"], // team-wide variables reach every project, production included
  "config.export-secrets": ["ADMIN", "read:secrets"], // .env export with secret values, from any environment
  "service.git-host-key": ["ADMIN", "write"],
  "service.webhook-secret": ["DEVELOPER", "read:secrets"], // read a git service's webhook secret (admins only when protected) // trust another SSH host key for a service's git server than the pinned one
  "preview.secrets": ["ADMIN", "admin"], // choose which of an environment's secrets its pull request previews receive
  // Set one's own git usernames (anyone's also needs member.manage). Developers and up: only their pull
  // requests skip approval, and a viewer able to would make `write` a viewer's scope.
  "member.git-usernames": ["DEVELOPER", "write"],
  "token.manage": ["ADMIN", "admin"], // see and revoke other members' API tokens (everyone manages their own)
  "notification.read": ["DEVELOPER", "read"], // notification channels (their targets' origins only), rules and deliveries
  "notification.manage": ["ADMIN", "admin"], // add, change, delete channels (their URLs and signing secrets) and rules; resend; send a test
} as const satisfies Record<string, readonly [Role, Scope]>;

export type Action = keyof typeof table;

export const ACTIONS = Object.keys(table) as Action[];

export function can(role: Role, action: Action): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[table[action][0]];
}

/** The least role that may do `action` (for messages like "only admins can …"). */
export function minimumRole(action: Action): Role {
  return table[action][0];
}

/** The API token scope `action` needs. */
export function scopeFor(action: Action): Scope {
  return table[action][1];
}

/**
 * Whether `actor` may give `target` (currently `from`, or a new member when null) the role `to`.
 * Nobody hands out more than they hold, and only owners touch owners.
 */
export function canAssignRole(actor: Role, from: Role | null, to: Role): boolean {
  if (!can(actor, "member.manage")) return false;
  if (ROLE_RANK[to] > ROLE_RANK[actor]) return false;
  if (from && ROLE_RANK[from] > ROLE_RANK[actor]) return false;
  if ((from === "OWNER" || to === "OWNER") && !can(actor, "member.owners")) return false;
  return true;
}

/** Whether `actor` may remove a member who holds `target`. */
export function canRemoveMember(actor: Role, target: Role): boolean {
  return can(actor, "member.manage") && ROLE_RANK[target] <= ROLE_RANK[actor] && (target !== "OWNER" || can(actor, "member.owners"));
}

/**
 * Who may read an invite's email (its link grants `role`): the least role that could have created that
 * invite, so the outbox never hands anyone a way to a role they could not give out themselves.
 */
export function inviteReadRole(role: Role): Role {
  return [...ROLES].reverse().find((r) => canAssignRole(r, null, role)) ?? "OWNER";
}

/** Changing an environment's configuration (or deploying to it): developers, or admins when it is protected. */
export function canChangeEnvironment(role: Role, env: { protected: boolean }): boolean {
  return can(role, env.protected ? "environment.protect" : "project.write");
}

/**
 * The action that acting on a container (`act`) or revealing its environment (`env`) needs: a container
 * Berth deployed follows its environment's protection, like changing that environment's configuration.
 */
export function containerPermission(kind: "act" | "env", env: { protected: boolean }): Action {
  if (kind === "act") return env.protected ? "container.act.protected" : "container.act";
  return env.protected ? "container.env.protected" : "container.env";
}
