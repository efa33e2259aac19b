// What the API says about the caller's own account. Never a password hash, never a token's secret.
import { z } from "zod";
import { SCOPES } from "@/lib/scopes";
import { timestamp } from "./team";

export const account = z.object({ id: z.string(), email: z.string(), name: z.string() });

/** `GET /me` (the CLI's contract): `team` and `token` are set when the call came with an API token. */
export const whoami = z.object({
  user: account,
  team: z.object({ slug: z.string(), name: z.string() }).nullable(),
  token: z
    .object({
      name: z.string(),
      scopes: z.array(z.enum(SCOPES)),
      expiresAt: timestamp.nullable(),
      /** The slugs of the project and environment the token is limited to. */
      project: z.string().nullable(),
      environment: z.string().nullable(),
    })
    .nullable(),
});
