// Server-side sessions: one row per signed-in browser, named by the `sid` in its JWT. A request counts as
// signed in only while that row exists, is not revoked and has not expired, so signing out (or a password
// change or reset) ends a session everywhere at once, a copied cookie included.
import { db, type Tx } from "@/lib/db";
import { recordAudit } from "./audit";
import type { Actor } from "./context";

/** Also the JWT's lifetime (lib/auth/options.ts): a session ends this long after sign-in at the latest. */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;

const actorSelect = { id: true, email: true, name: true } as const;

/** Opens a session for a user whose credentials were just checked; returns its id for the JWT. */
export async function startSession(user: Actor): Promise<string> {
  return db.$transaction(async (tx) => {
    // Expired rows are only history: drop this user's on the way.
    await tx.userSession.deleteMany({ where: { userId: user.id, expiresAt: { lt: new Date() } } });
    const session = await tx.userSession.create({
      data: { userId: user.id, expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000) },
      select: { id: true },
    });
    await recordAudit(tx, user, { action: "user.signin", target: { type: "user", id: user.id, label: user.email } });
    return session.id;
  });
}

/** The live account behind a session, or null when the session was revoked, expired or never existed. */
export async function findSessionUser(userId: string, sessionId: string): Promise<Actor | null> {
  // One query (the session as an EXISTS condition): this runs on every request.
  return db.user.findFirst({
    where: { id: userId, sessions: { some: { id: sessionId, revokedAt: null, expiresAt: { gt: new Date() } } } },
    select: actorSelect,
  });
}

/** Signing out: the session stops working on the server, wherever its cookie was copied to. */
export async function endSession(userId: string, sessionId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const { count } = await tx.userSession.updateMany({ where: { id: sessionId, userId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) return;
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true } });
    if (user) await recordAudit(tx, user, { action: "user.signout", target: { type: "user", id: user.id, label: user.email } });
  });
}

/** Ends every open session of the user except `keep` (the caller's own); returns how many ended. */
export async function revokeSessions(tx: Tx, userId: string, keep?: string): Promise<number> {
  const { count } = await tx.userSession.updateMany({
    where: { userId, revokedAt: null, expiresAt: { gt: new Date() }, ...(keep ? { id: { not: keep } } : {}) },
    data: { revokedAt: new Date() },
  });
  return count;
}
