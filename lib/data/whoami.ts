// Who is calling, for `GET /me`: the account, and for an API token its team and what the token grants.
import { db } from "@/lib/db";
import { UnauthorizedError } from "@/lib/errors";
import { isScope } from "@/lib/scopes";
import type { Actor } from "./context";

/** The token a call came with (the chain has checked it): its team and id. */
export type CallerToken = { teamId: string; tokenId: string };

export async function describeCaller(actor: Actor, token: CallerToken | null) {
  const user = { id: actor.id, email: actor.email, name: actor.name };
  if (!token) return { user, team: null, token: null };
  const now = new Date();
  const row = await db.apiToken.findFirst({
    where: { id: token.tokenId, teamId: token.teamId, userId: actor.id, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: {
      name: true,
      scopes: true,
      expiresAt: true,
      team: { select: { slug: true, name: true } },
      project: { select: { slug: true } },
      environment: { select: { slug: true } },
    },
  });
  if (!row) throw new UnauthorizedError("This API token was revoked or expired a moment ago.");
  return {
    user,
    team: row.team,
    token: {
      name: row.name,
      scopes: row.scopes.filter(isScope),
      expiresAt: row.expiresAt,
      project: row.project?.slug ?? null,
      environment: row.environment?.slug ?? null,
    },
  };
}
