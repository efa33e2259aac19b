// A host authenticating itself over HTTP (agent image downloads, "does my host still exist?", registry
// tokens): HTTP Basic `host-<id>:<password>`, the same password as its Redis login. Only the SHA-256 of the
// password is stored (Host.tokenHash); it is compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { db } from "@/lib/db";

const USER = /^host-([a-z0-9]{8,40})$/;

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** A host's long-lived password (32 random bytes) and the SHA-256 Berth keeps of it. */
export function newHostToken() {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: sha256Hex(token) };
}

/** Whether two hex digests are equal, in time that does not depend on where they differ. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/** `{ user, password }` from an `Authorization: Basic …` header, or null when there is none or it is malformed. */
export function basicCredentials(authorization: string | null | undefined): { user: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]{1,1000})$/i.exec(authorization?.trim() ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export type AuthenticatedHost = { id: string; name: string; teamId: string | null };

/** The host whose Basic credentials these are, or null: unknown user, removed host or wrong password alike. */
export async function authenticateHost(authorization: string | null | undefined): Promise<AuthenticatedHost | null> {
  const creds = basicCredentials(authorization);
  const id = creds ? USER.exec(creds.user)?.[1] : undefined;
  if (!creds || !id || creds.password.length === 0 || creds.password.length > 200) return null;
  const host = await db.host.findUnique({ where: { id }, select: { id: true, name: true, teamId: true, tokenHash: true } });
  const given = sha256Hex(creds.password);
  // Compared even for an unknown host, so the answer's timing does not tell which host ids exist.
  const ok = sameDigest(given, host?.tokenHash ?? "0".repeat(64));
  return host && ok ? { id: host.id, name: host.name, teamId: host.teamId } : null;
}
