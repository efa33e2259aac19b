// What the API says about variables. Secrets are write-only: a secret's value is null in every answer, and
// the schema refuses an answer that would carry one (a bug in the data layer fails the call, it never leaks).
import { z } from "zod";
import { timestamp } from "./team";

const noSecretValue = [(v: { secret: boolean; value: string | null }) => !v.secret || v.value === null, "a secret's value must never leave"] as const;

/** One variable of an owner (team, project, environment or service). */
export const variableSummary = z
  .object({
    key: z.string(),
    secret: z.boolean(),
    /** Null for a secret. */
    value: z.string().nullable(),
    updatedAt: timestamp,
  })
  .refine(...noSecretValue);

/** A variable just saved or restored: its name and kind, never its value. */
export const savedVariable = z.object({ id: z.string(), key: z.string(), secret: z.boolean() });

/** One version of a key, newest first; its id restores it. A secret version says only that it changed. */
export const variableVersion = z
  .object({
    id: z.string(),
    action: z.string(),
    secret: z.boolean(),
    value: z.string().nullable(),
    actorEmail: z.string(),
    createdAt: timestamp,
  })
  .refine(...noSecretValue);
