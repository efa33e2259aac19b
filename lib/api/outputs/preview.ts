// What the API says about pull request previews and their settings. A service's status token never leaves:
// only whether one is set.
import { z } from "zod";
import { timestamp } from "./timestamp";

export const previewSettingsOutput = z.object({
  serviceId: z.string(),
  previewsEnabled: z.boolean(),
  /** The environment each preview is cloned from (the service's own unless chosen). */
  previewBaseEnvironmentId: z.string(),
  previewTtlHours: z.number().int(),
  statusTokenSet: z.boolean(),
  /** The service's webhook, which must send pull request events too. */
  webhookUrl: z.string(),
});

export const previewSecretKeysOutput = z.object({ environmentId: z.string(), keys: z.array(z.string()) });

export const gitUsernamesOutput = z.object({ membershipId: z.string(), gitUsernames: z.array(z.string()) });

export const PREVIEW_STATUSES = ["waiting", "deploying", "ready", "failed", "closed"] as const;

export const preview = z.object({
  id: z.string(),
  provider: z.string().pipe(z.enum(["github", "gitlab", "gitea"])),
  number: z.number().int(),
  title: z.string(),
  /** Provider-qualified, "github:alice". */
  author: z.string(),
  headRef: z.string(),
  headSha: z.string(),
  fromFork: z.boolean(),
  authorIsMember: z.boolean(),
  /** The commit a developer approved; a gated preview deploys only that commit. */
  approvedSha: z.string().nullable(),
  /** Gated (a fork, or an author who is not a member) and its head commit not approved yet. */
  needsApproval: z.boolean(),
  status: z.string().pipe(z.enum(PREVIEW_STATUSES)),
  url: z.string().nullable(),
  /** The pull request's service (in the base environment) and its preview environment, null once torn down. */
  service: z.object({ id: z.string(), name: z.string(), environmentSlug: z.string() }),
  environment: z.object({ id: z.string(), name: z.string(), slug: z.string() }).nullable(),
  lastPushAt: timestamp,
  /** When the time-to-live reaps it, counted from its last push; null once closed. */
  expiresAt: timestamp.nullable(),
  closedAt: timestamp.nullable(),
  createdAt: timestamp,
});

export const approvedPreview = z.object({ deployment: z.string(), number: z.number().int() });

export const closedPreview = z.object({ services: z.number().int(), variables: z.number().int(), cancelled: z.number().int() });
