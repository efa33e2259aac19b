// What the API says about members and invites. An invite's token is shown once, as the link made with it.
import { z } from "zod";
import { role, timestamp } from "./team";

export const member = z.object({
  id: z.string(),
  role,
  createdAt: timestamp,
  /** Usernames on git providers ("github:alice"): their pull requests from the repository need no approval. */
  gitUsernames: z.array(z.string()),
  user: z.object({ id: z.string(), name: z.string(), email: z.string() }),
});

/** A membership after a role change. */
export const membershipRole = z.object({ id: z.string(), role, userId: z.string() });

export const invite = z.object({
  id: z.string(),
  email: z.string(),
  role,
  status: z.enum(["pending", "accepted", "revoked", "expired"]),
  expiresAt: timestamp,
  createdAt: timestamp,
  createdBy: z.object({ email: z.string() }).nullable(),
});

/** A new invite: `url` carries its token, the only time it is ever shown (only a hash is kept). */
export const createdInvite = z.object({ id: z.string(), email: z.string(), role, expiresAt: timestamp, url: z.string() });
