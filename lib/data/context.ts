// The verified team context every team-scoped data function takes. It can only be made here, from a
// signed-in user and a slug the user is a member of; anything else is "not found".
import { db } from "@/lib/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Role } from "@/lib/generated/prisma/enums";
import { can, minimumRole, ROLE_LABEL, type Action } from "@/lib/permissions";

export type Actor = { id: string; email: string; name: string };

export type TeamContext = {
  readonly team: { id: string; slug: string; name: string };
  readonly actor: Actor;
  readonly role: Role;
};

export async function resolveTeamContext(actor: Actor, slug: string): Promise<TeamContext> {
  const membership = await db.membership.findFirst({
    where: { userId: actor.id, team: { slug } },
    select: { role: true, team: { select: { id: true, slug: true, name: true } } },
  });
  if (!membership) throw new NotFoundError("Team not found");
  return Object.freeze({ team: membership.team, actor, role: membership.role });
}

const PLURAL: Record<Role, string> = { OWNER: "owners", ADMIN: "admins and owners", DEVELOPER: "developers and above", VIEWER: "members" };

export function authorize(ctx: TeamContext, action: Action): void {
  if (!can(ctx.role, action)) {
    throw new ForbiddenError(
      `Only ${PLURAL[minimumRole(action)]} can do that; you are ${ROLE_LABEL[ctx.role].toLowerCase() === "admin" ? "an admin" : `a ${ROLE_LABEL[ctx.role].toLowerCase()}`}.`,
    );
  }
}
