export { hashLinkToken as hashInviteToken, newLinkToken as newInviteToken } from "@/lib/auth/link-token";

export function inviteStatus(i: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now = new Date()) {
  if (i.acceptedAt) return "accepted" as const;
  if (i.revokedAt) return "revoked" as const;
  if (i.expiresAt <= now) return "expired" as const;
  return "pending" as const;
}
