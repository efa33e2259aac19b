// The verified team context every team-scoped data function takes. It can only be made here, from a
// signed-in user and a slug the user is a member of; anything else is "not found". Memberships are read with
// their teams in one query (Prisma reads a relation with a query of its own): every request starts here.
import { db } from "@/lib/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Role } from "@/lib/generated/prisma/enums";
import { can, minimumRole, ROLE_LABEL, scopeFor, type Action } from "@/lib/permissions";
import { scopeCovers, type Scope } from "@/lib/scopes";

/** `tokenName`: the API token the user is acting through, named in the audit log. */
export type Actor = { id: string; email: string; name: string; tokenName?: string };

/** What an API token adds to its maker's membership: its scopes, and the project or environment it is limited to. */
export type TokenGrant = {
  readonly tokenId: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly projectId: string | null;
  readonly environmentId: string | null;
};

export type TeamContext = {
  readonly team: { id: string; slug: string; name: string };
  readonly actor: Actor;
  readonly role: Role;
  /** Present when the request came with an API token: then scopes limit what the role allows. */
  readonly grant?: TokenGrant;
};

/** A user's teams and role in each. Only `readMemberships` makes one (its symbol is not exported), so a context is
 * still made only here. */
const READ = Symbol("memberships");
export type MyTeam = { id: string; slug: string; name: string; role: Role };
export type Memberships = { readonly actor: Actor; readonly teams: MyTeam[]; readonly [READ]: true };

/** Every team the user is a member of, by name: a page shows them (the team switcher) and enters one. */
export async function readMemberships(actor: Actor): Promise<Memberships> {
  const teams = await db.$queryRaw<MyTeam[]>`
    SELECT t.id, t.slug, t.name, m.role::text AS role
    FROM "Membership" m JOIN "Team" t ON t.id = m."teamId"
    WHERE m."userId" = ${actor.id}
    ORDER BY t.name, t.id`;
  return Object.freeze({ actor, teams, [READ]: true as const });
}

/** The context for `slug` among memberships just read (a page's request reads them once for both uses). */
export function teamContextIn(m: Memberships, slug: string): TeamContext {
  const t = m.teams.find((x) => x.slug === slug);
  if (!t) throw new NotFoundError("Team not found");
  return Object.freeze({ team: { id: t.id, slug: t.slug, name: t.name }, actor: m.actor, role: t.role });
}

export async function resolveTeamContext(actor: Actor, slug: string): Promise<TeamContext> {
  const [t] = await db.$queryRaw<MyTeam[]>`
    SELECT t.id, t.slug, t.name, m.role::text AS role
    FROM "Membership" m JOIN "Team" t ON t.id = m."teamId"
    WHERE m."userId" = ${actor.id} AND t.slug = ${slug}`;
  if (!t) throw new NotFoundError("Team not found");
  return Object.freeze({ team: { id: t.id, slug: t.slug, name: t.name }, actor, role: t.role });
}

const PLURAL: Record<Role, string> = { OWNER: "owners", ADMIN: "admins and owners", DEVELOPER: "developers and above", VIEWER: "members" };

/** The role check, and for an API token also its scopes. Every team-scoped data function starts here. */
export function authorize(ctx: TeamContext, action: Action): void {
  if (ctx.grant && !scopeCovers(ctx.grant.scopes, scopeFor(action))) {
    throw new ForbiddenError(`This API token lacks the "${scopeFor(action)}" scope.`);
  }
  if (!can(ctx.role, action)) {
    throw new ForbiddenError(
      `Only ${PLURAL[minimumRole(action)]} can do that; you are ${ROLE_LABEL[ctx.role].toLowerCase() === "admin" ? "an admin" : `a ${ROLE_LABEL[ctx.role].toLowerCase()}`}.`,
    );
  }
}
