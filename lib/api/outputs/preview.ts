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
  serviceId: z.string(),
  provider: z.enum(["github", "gitlab", "gitea"]),
  number: z.number().int(),
  title: z.string(),
  author: z.string(),
  headRef: z.string(),
  headSha: z.string(),
  fromFork: z.boolean(),
  authorIsMember: z.boolean(),
  /** The commit a developer approved; a gated preview deploys only that commit. */
  approvedSha: z.string().nullable(),
  status: z.enum(PREVIEW_STATUSES),
  url: z.string().nullable(),
  environmentId: z.string().nullable(),
  lastPushAt: timestamp,
  /** When the time-to-live reaps it, counted from its last push. */
  expiresAt: timestamp,
  closedAt: timestamp.nullable(),
  createdAt: timestamp,
});
