// What the API says about an API token: never its hash; the token itself only in the answer that made it.
import { z } from "zod";
import { timestamp } from "./timestamp";
import { SCOPES } from "@/lib/scopes";

export const apiTokenSummary = z.object({
  id: z.string(),
  name: z.string(),
  /** The token's first characters (berth_xxxxxx), to tell tokens apart. */
  prefix: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  status: z.enum(["active", "expired", "revoked"]),
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
  lastUsedIp: z.string().nullable(),
  revokedAt: timestamp.nullable(),
  createdAt: timestamp,
  /** The member who made it; the token acts as them, never above their current role. */
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  /** The project (and environment) it is limited to; both null for a team-wide token. */
  project: z.object({ slug: z.string(), name: z.string() }).nullable(),
  environment: z.object({ slug: z.string(), name: z.string() }).nullable(),
});

/** A token just made: the summary plus the token, which Berth never shows again. */
export const createdApiToken = apiTokenSummary.extend({ token: z.string() });
