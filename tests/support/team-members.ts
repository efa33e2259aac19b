// A team with one member of each role, made through the data layer (as the pages would), and API tokens for
// them: for tests that hold entry points to the permission table.
import { randomUUID } from "node:crypto";
import { createApiToken } from "@/lib/data/api-tokens";
import { resolveTeamContext, type Actor, type TeamContext } from "@/lib/data/context";
import { acceptInvite, createInvite } from "@/lib/data/invites";
import { createProject } from "@/lib/data/projects";
import { createTeam } from "@/lib/data/teams";
import { signUp } from "@/lib/data/users";
import type { Role } from "@/lib/generated/prisma/enums";
import type { Scope } from "@/lib/scopes";

export const MEMBER_PASSWORD = "member-password-1";

export type Member = { user: Actor; ctx: TeamContext; email: string };

/** A team with an owner, an admin, a developer and a viewer, and one project (development/staging/production). */
export async function teamWithEveryRole(label = "walk") {
  const stamp = randomUUID().slice(0, 8);
  const email = (role: string) => `${label}-${role.toLowerCase()}-${stamp}@example.test`;
  const owner = await signUp({ name: "Owner", email: email("OWNER"), password: MEMBER_PASSWORD });
  const team = await createTeam(owner, { name: `${label} ${stamp}`, slug: `${label}-${stamp}` });
  const ownerCtx = await resolveTeamContext(owner, team.slug);
  const members: Record<Role, Member> = { OWNER: { user: owner, ctx: ownerCtx, email: owner.email } } as Record<Role, Member>;
  for (const role of ["ADMIN", "DEVELOPER", "VIEWER"] as const) {
    const user = await signUp({ name: role, email: email(role), password: MEMBER_PASSWORD });
    const invite = await createInvite(ownerCtx, { email: user.email, role });
    await acceptInvite(user, invite.url.split("/").at(-1)!);
    members[role] = { user, ctx: await resolveTeamContext(user, team.slug), email: user.email };
  }
  const project = await createProject(ownerCtx, { name: `app-${stamp}` });
  return { slug: team.slug, members, project };
}

/** A token for `member` with `scopes` (and an optional limit); the raw token, shown once. */
export async function tokenFor(member: Member, scopes: Scope[], limit: { projectId?: string; environmentId?: string } = {}) {
  const t = await createApiToken(member.ctx, { name: `t-${randomUUID().slice(0, 6)}`, scopes, expiresInDays: 1, ...limit });
  return t.token;
}
