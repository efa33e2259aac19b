// Test data: every test makes its own users and teams with unique names, so tests never depend on each other.
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { resolveTeamContext, type Actor, type TeamContext } from "@/lib/data/context";
import { createTeam } from "@/lib/data/teams";
import { signUp } from "@/lib/data/users";
import type { Role } from "@/lib/generated/prisma/enums";

export const PASSWORD = "integration-password-1";

export function uniq(prefix = "t"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

export async function makeUser(name = "Test User"): Promise<Actor> {
  return signUp({ name, email: `${uniq("user")}@example.test`, password: PASSWORD });
}

/** A new team owned by a new user; returns the owner's context. */
export async function makeTeam(): Promise<TeamContext> {
  const owner = await makeUser("Owner");
  const team = await createTeam(owner, { name: `Team ${uniq()}`, slug: uniq("team") });
  return resolveTeamContext(owner, team.slug);
}

/** Adds a new user to the team with `role` (directly, as an invite acceptance would) and returns their context. */
export async function addMember(owner: TeamContext, role: Role): Promise<TeamContext> {
  const user = await makeUser(role.toLowerCase());
  await db.membership.create({ data: { teamId: owner.team.id, userId: user.id, role } });
  return resolveTeamContext(user, owner.team.slug);
}

export async function membershipOf(ctx: TeamContext) {
  return db.membership.findFirstOrThrow({ where: { teamId: ctx.team.id, userId: ctx.actor.id } });
}
