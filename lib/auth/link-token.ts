import { createHash, randomBytes } from "node:crypto";

/** A fresh token for a single-use link (invites, password resets) and the SHA-256 stored instead of it. */
export function newLinkToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
