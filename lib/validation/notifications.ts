// What notification channels, rules and the deliveries list take. A channel's URL is checked here for its
// form (http or https, no credentials); where it may go is checked by the data layer (lib/net/outbound.ts).
import { z } from "zod";
import { NOTIFICATION_EVENTS } from "@/lib/notify/events";
import { commaList, email, flag, id } from "./fields";

export const CHANNEL_KINDS = ["webhook", "slack", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const DELIVERY_STATUSES = ["PENDING", "DELIVERED", "FAILED"] as const;
export const MAX_EMAILS = 20;
export const DELIVERIES_PER_PAGE = 50;

const blank = (v: unknown) => (v === "" || v === null ? undefined : v);
const optionalId = z.preprocess(blank, id.optional());

export const channelName = z.string({ error: "Name the channel." }).trim().min(1, "Name the channel, e.g. ops-alerts.").max(60, "Use at most 60 characters.");

/** An http(s) URL without user name or password (a credential belongs in the path or query, which stay sealed). */
export const channelUrl = z
  .string({ error: "Enter the URL to post to." })
  .trim()
  .min(1, "Enter the URL to post to.")
  .max(2048, "Use at most 2048 characters.")
  .transform((s, c) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      c.addIssue({ code: "custom", message: "Enter a full URL, like https://hooks.example.com/berth." });
      return z.NEVER;
    }
    if (u.protocol !== "https:" && u.protocol !== "http:") {
      c.addIssue({ code: "custom", message: "Use an https:// (or http://) URL." });
      return z.NEVER;
    }
    if (u.username || u.password) {
      c.addIssue({ code: "custom", message: "Leave the user name and password out of the URL." });
      return z.NEVER;
    }
    u.hash = "";
    return u.toString();
  });

/** 1–20 addresses: a JSON array, or one text of addresses separated by commas, spaces or new lines. */
export const channelEmails = z.preprocess(
  (v) => (typeof v === "string" ? v.split(/[\s,;]+/).filter(Boolean) : v),
  z
    .array(email, { error: "Enter the email addresses to send to." })
    .min(1, "Enter at least one email address.")
    .max(MAX_EMAILS, `At most ${MAX_EMAILS} email addresses.`)
    .transform((list) => [...new Set(list)]),
);

export const channelCreateInput = z.object({
  name: channelName,
  kind: z.enum(CHANNEL_KINDS, { error: `kind: one of ${CHANNEL_KINDS.join(", ")}.` }),
  /** webhook and slack: where to post. */
  url: z.preprocess(blank, channelUrl.optional()),
  /** email: the recipients. */
  emails: z.preprocess(blank, channelEmails.optional()),
  /** Admins and owners only: the URL may reach loopback and private addresses. */
  allowPrivateNetworks: flag.default(false),
  enabled: flag.default(true),
});

/** Only what is sent changes; an empty URL keeps the current one (it is write-only). */
export const channelUpdateInput = z.object({
  channelId: id,
  name: channelName.optional(),
  url: z.preprocess(blank, channelUrl.optional()),
  emails: z.preprocess(blank, channelEmails.optional()),
  allowPrivateNetworks: flag.optional(),
  enabled: flag.optional(),
});

export const channelIdInput = z.object({ channelId: id });

const events = commaList(
  z
    .array(z.enum(NOTIFICATION_EVENTS, { error: `events: each one of ${NOTIFICATION_EVENTS.join(", ")}.` }), { error: "Choose the events to send." })
    .min(1, "Choose at least one event.")
    .transform((list) => [...new Set(list)]),
);

const crashRestarts = z.coerce
  .number({ error: "crashRestarts: a number of restarts." })
  .int("crashRestarts: a whole number of restarts.")
  .min(2, "crashRestarts: at least 2 restarts.")
  .max(100, "crashRestarts: at most 100 restarts.");
const crashWindowMinutes = z.coerce
  .number({ error: "crashWindowMinutes: a number of minutes." })
  .int("crashWindowMinutes: a whole number of minutes.")
  .min(1, "crashWindowMinutes: at least 1 minute.")
  .max(1440, "crashWindowMinutes: at most 1440 minutes (a day).");

export const ruleCreateInput = z.object({
  channelId: id,
  events,
  /** Only this project's events (null: the whole team); an environment implies its project. */
  projectId: optionalId,
  environmentId: optionalId,
  crashRestarts: z.preprocess(blank, crashRestarts.default(3)),
  crashWindowMinutes: z.preprocess(blank, crashWindowMinutes.default(5)),
});

/** Replaces the rule's events, routing and thresholds (the channel stays). */
export const ruleUpdateInput = ruleCreateInput.omit({ channelId: true }).extend({ ruleId: id });

export const ruleIdInput = z.object({ ruleId: id });

const page = z.coerce.number({ error: "page: a page number." }).int("page: a whole number.").min(1, "page: 1 or more.").max(100_000).default(1);
const limit = z.coerce
  .number({ error: "limit: a number of rows." })
  .int("limit: a whole number of rows.")
  .min(1, "limit: at least 1 row.")
  .max(200, "limit: at most 200 rows.")
  .default(DELIVERIES_PER_PAGE);

export const deliveryListQuery = z.object({
  channelId: optionalId,
  status: z.enum(DELIVERY_STATUSES, { error: `status: one of ${DELIVERY_STATUSES.join(", ")}.` }).optional(),
  page,
  limit,
});
export type DeliveryListQuery = z.infer<typeof deliveryListQuery>;

export const deliveryIdInput = z.object({ deliveryId: id });
