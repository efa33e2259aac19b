// Who is calling, for `GET /me`: the account, and for an API token its team and what the token grants.
import { db } from "@/lib/db";
import { ConflictError } from "@/lib/errors";
import { isScope } from "@/lib/scopes";
import type { Actor } from "./context";

/** The token a call came with: its team, and its id when the chain hands it over (else it is found by its name). */
export type CallerToken = { teamId: string; tokenId?: string };

export async function describeCaller(actor: Actor, token: CallerToken | null) {
  const user = { id: actor.id, email: actor.email, name: actor.name };
  if (!token) return { user, team: null, token: null };
  const now = new Date();
  // The chain has already accepted the token (not revoked, not expired, its maker still a member): it is
  // this member's live token in this team with this name, which createApiToken keeps unique.
  const rows = await db.apiToken.findMany({
    where: {
      teamId: token.teamId,
      userId: actor.id,
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      ...(token.tokenId ? { id: token.tokenId } : { name: actor.tokenName ?? "" }),
    },
    select: {
      name: true,
      scopes: true,
      expiresAt: true,
      team: { select: { slug: true, name: true } },
      project: { select: { slug: true } },
      environment: { select: { slug: true } },
    },
    take: 2,
  });
  const row = rows[0];
  if (!row) throw new Error("describeCaller: the calling token is gone although the chain has just accepted it");
  if (rows.length > 1) {
    // Two creations raced past that check. Guessing could report another token's scopes or limit: refuse.
    throw new ConflictError(
      `You have more than one live API token named "${row.name}" in this team, so Berth cannot tell which one this is. Revoke the ones you no longer use.`,
    );
  }
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
