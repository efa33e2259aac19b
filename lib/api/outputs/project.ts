// What the API says about projects and environments, and about moving configuration between them. Secret
// values never appear: a preview shows a secret's value as null, an import answers with key names only.
import { z } from "zod";
import { timestamp } from "./timestamp";

export const environmentSummary = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  /** Only admins and owners change its configuration or deploy to it. */
  protected: z.boolean(),
});

export const projectSummary = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  archivedAt: timestamp.nullable(),
  environments: z.array(environmentSummary),
});

/** A project just made or renamed. */
export const projectRef = z.object({ id: z.string(), slug: z.string(), name: z.string() });

/** What deleting a project or environment took along, and how each host's clean-up went. */
export const deleteOutcome = z.object({
  services: z.number().int(),
  cancelled: z.number().int(),
  hosts: z.array(z.object({ hostId: z.string(), done: z.boolean(), error: z.string().optional() })),
});

export const dotenvPreview = z.object({
  errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
  changes: z.array(
    z.object({
      key: z.string(),
      status: z.enum(["new", "changed", "unchanged"]),
      secret: z.boolean(),
      /** The value the .env gives; null when the key is a secret. */
      value: z.string().nullable(),
    }),
  ),
});

/** An import's outcome by key name: `written` of `total` keys changed. */
export const dotenvImported = z.object({
  created: z.array(z.string()),
  updated: z.array(z.string()),
  unchanged: z.array(z.string()),
  written: z.number().int(),
  total: z.number().int(),
});
