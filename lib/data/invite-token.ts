import { createHash, randomBytes } from "node:crypto";

/** A fresh invite token (goes in the link) and the hash that is stored. */
export function newInviteToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashInviteToken(token) };
}

export function hashInviteToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function inviteStatus(i: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now = new Date()) {
  if (i.acceptedAt) return "accepted" as const;
  if (i.revokedAt) return "revoked" as const;
  if (i.expiresAt <= now) return "expired" as const;
  return "pending" as const;
}
