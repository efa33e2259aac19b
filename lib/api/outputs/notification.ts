// What the API says about notification channels, rules and deliveries. A channel's URL and signing secret
// are never named here: a list shows the URL's origin, and the secret is only in the answers that made it.
import { z } from "zod";
import { DELIVERY_STATUSES } from "@/lib/validation/notifications";
import { timestamp } from "./timestamp";

const place = z.object({ id: z.string(), name: z.string(), slug: z.string() }).nullable();

export const notificationRule = z.object({
  id: z.string(),
  channelId: z.string(),
  events: z.array(z.string()),
  /** Only this project's events (null: the whole team's). */
  project: place,
  /** Only this environment's events. */
  environment: place,
  crashRestarts: z.number().int(),
  crashWindowMinutes: z.number().int(),
  createdAt: timestamp,
});

export const notificationChannel = z.object({
  id: z.string(),
  name: z.string(),
  /** webhook, slack or email. */
  kind: z.string(),
  /** The target URL's origin (webhook, slack); its path and query are never shown. */
  urlLabel: z.string().nullable(),
  /** email: the recipients. */
  emails: z.array(z.string()),
  allowPrivateNetworks: z.boolean(),
  enabled: z.boolean(),
  rules: z.array(notificationRule),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** A webhook channel's signing secret (whsec_…), shown in this answer only; null for other kinds. */
export const createdNotificationChannel = notificationChannel.extend({ signingSecret: z.string().nullable() });

export const rotatedSigningSecret = z.object({ name: z.string(), signingSecret: z.string() });

export const notificationDelivery = z.object({
  id: z.string(),
  channel: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
  /** The event, or "test" for a channel's test message. */
  event: z.string(),
  title: z.string().nullable(),
  /** The Berth page the message links to. */
  url: z.string().nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  /** When it is tried next (PENDING only). */
  nextAttemptAt: timestamp.nullable(),
  responseStatus: z.number().int().nullable(),
  /** The start of the last answer's body. */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: timestamp,
  deliveredAt: timestamp.nullable(),
});
