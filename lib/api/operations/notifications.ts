// Notification settings: channels (webhook, Slack, email), the rules that route events to them, and the
// deliveries sent. Team-wide, like hosts: no targets, so a token limited to a project or environment cannot
// call them. Managing is for admins (targets and secrets); developers and above read.
import { z } from "zod";
import {
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  rotateSigningSecret,
  sendTestNotification,
  updateChannel,
} from "@/lib/data/notifications/channels";
import { listDeliveries, resendDelivery } from "@/lib/data/notifications/deliveries";
import { createRule, deleteRule, updateRule } from "@/lib/data/notifications/rules";
import { id } from "@/lib/validation/fields";
import {
  channelCreateInput,
  channelIdInput,
  channelUpdateInput,
  deliveryIdInput,
  deliveryListQuery,
  ruleCreateInput,
  ruleIdInput,
  ruleUpdateInput,
} from "@/lib/validation/notifications";
import { teamOp, type Operation } from "../operation";
import { pageOf } from "../outputs/host";
import { createdNotificationChannel, notificationChannel, notificationDelivery, notificationRule, rotatedSigningSecret } from "../outputs/notification";

const BASE = "/teams/{team}/notifications";

export const listChannelsOp = teamOp({
  id: "notifications.channels.list",
  method: "GET",
  path: `${BASE}/channels`,
  summary: "The team's notification channels by name, each with its rules. A URL shows only as its origin.",
  permission: "notification.read",
  input: z.object({}),
  output: z.object({ channels: z.array(notificationChannel) }),
  run: async (ctx) => ({ channels: await listChannels(ctx) }),
});

export const getChannelOp = teamOp({
  id: "notifications.channels.get",
  method: "GET",
  path: `${BASE}/channels/{channelId}`,
  summary: "One notification channel with its rules.",
  permission: "notification.read",
  input: channelIdInput,
  output: notificationChannel,
  run: (ctx, i) => getChannel(ctx, i.channelId),
});

export const createChannelOp = teamOp({
  id: "notifications.channels.create",
  method: "POST",
  path: `${BASE}/channels`,
  summary:
    "Add a channel: `webhook` (a signed POST to `url`, per Standard Webhooks), `slack` (a Slack-compatible incoming webhook `url`) or `email` (1-20 `emails`). The URL may not reach loopback or private addresses unless `allowPrivateNetworks`. A webhook's `signingSecret` is in this answer only.",
  permission: "notification.manage",
  input: channelCreateInput,
  output: createdNotificationChannel,
  status: 201,
  run: (ctx, i) => createChannel(ctx, i),
});

export const updateChannelOp = teamOp({
  id: "notifications.channels.update",
  method: "PATCH",
  path: `${BASE}/channels/{channelId}`,
  summary: "Change a channel's name, URL (write-only: omit it to keep the current one), emails, private-network allowance, or turn it on or off.",
  permission: "notification.manage",
  input: channelUpdateInput,
  output: notificationChannel,
  run: (ctx, i) => updateChannel(ctx, i),
});

export const deleteChannelOp = teamOp({
  id: "notifications.channels.delete",
  method: "DELETE",
  path: `${BASE}/channels/{channelId}`,
  summary: "Delete a channel with its rules and its deliveries.",
  permission: "notification.manage",
  input: channelIdInput,
  output: z.object({ name: z.string() }),
  run: (ctx, i) => deleteChannel(ctx, i),
});

export const rotateSecretOp = teamOp({
  id: "notifications.channels.rotateSecret",
  method: "POST",
  path: `${BASE}/channels/{channelId}/signing-secret`,
  summary: "A new signing secret for a webhook channel, in this answer only; messages are signed with it from now on.",
  permission: "notification.manage",
  input: channelIdInput,
  output: rotatedSigningSecret,
  status: 201,
  run: (ctx, i) => rotateSigningSecret(ctx, i),
});

export const sendTestOp = teamOp({
  id: "notifications.channels.test",
  method: "POST",
  path: `${BASE}/channels/{channelId}/test`,
  summary: "Queue a test message on the channel (even a disabled one); the answer is its delivery, listed with the others.",
  permission: "notification.manage",
  input: channelIdInput,
  output: notificationDelivery,
  status: 201,
  run: (ctx, i) => sendTestNotification(ctx, i),
});

export const createRuleOp = teamOp({
  id: "notifications.rules.create",
  method: "POST",
  path: `${BASE}/channels/{channelId}/rules`,
  summary:
    "Send `events` (deployment.failed, deployment.succeeded, host.offline, host.online, container.crash_looping, variables.changed) to the channel: the whole team's, or only `projectId`'s or `environmentId`'s. A crash loop is `crashRestarts` (2-100, default 3) restarts within `crashWindowMinutes` (1-1440, default 5).",
  permission: "notification.manage",
  input: ruleCreateInput,
  output: notificationRule,
  status: 201,
  run: (ctx, i) => createRule(ctx, i),
});

export const updateRuleOp = teamOp({
  id: "notifications.rules.update",
  method: "PUT",
  path: `${BASE}/rules/{ruleId}`,
  summary: "Replace a rule's events, project or environment, and crash-loop thresholds.",
  permission: "notification.manage",
  input: ruleUpdateInput,
  output: notificationRule,
  run: (ctx, i) => updateRule(ctx, i),
});

export const deleteRuleOp = teamOp({
  id: "notifications.rules.delete",
  method: "DELETE",
  path: `${BASE}/rules/{ruleId}`,
  summary: "Delete a rule.",
  permission: "notification.manage",
  input: ruleIdInput,
  output: z.void(),
  status: 204,
  run: (ctx, i) => deleteRule(ctx, i),
});

const deliveriesPage = pageOf("deliveries", notificationDelivery);

export const listDeliveriesOp = teamOp({
  id: "notifications.deliveries.list",
  method: "GET",
  path: `${BASE}/deliveries`,
  summary:
    "A page of the team's notification deliveries, newest first: status, attempts, the last answer, the error and the next attempt. `channelId` one channel's, `status` one status (PENDING, DELIVERED, FAILED); `page` from 1 of `limit` (1-200, default 50).",
  permission: "notification.read",
  input: deliveryListQuery,
  output: deliveriesPage,
  run: async (ctx, i) => {
    const { items, ...page } = await listDeliveries(ctx, i);
    return { deliveries: items, ...page };
  },
});

export const listChannelDeliveriesOp = teamOp({
  id: "notifications.channels.deliveries",
  method: "GET",
  path: `${BASE}/channels/{channelId}/deliveries`,
  summary: "A page of one channel's deliveries, newest first (as notifications.deliveries.list).",
  permission: "notification.read",
  input: deliveryListQuery.extend({ channelId: id }),
  output: deliveriesPage,
  run: async (ctx, i) => {
    const { items, ...page } = await listDeliveries(ctx, i);
    return { deliveries: items, ...page };
  },
});

export const resendDeliveryOp = teamOp({
  id: "notifications.deliveries.resend",
  method: "POST",
  path: `${BASE}/deliveries/{deliveryId}/resend`,
  summary: "Send a delivered or failed message again, with the same id (a receiver can drop a duplicate) and a fresh retry schedule.",
  permission: "notification.manage",
  input: deliveryIdInput,
  output: notificationDelivery,
  run: (ctx, i) => resendDelivery(ctx, i),
});

export const notificationOps: Operation[] = [
  listChannelsOp,
  getChannelOp,
  createChannelOp,
  updateChannelOp,
  deleteChannelOp,
  rotateSecretOp,
  sendTestOp,
  listChannelDeliveriesOp,
  createRuleOp,
  updateRuleOp,
  deleteRuleOp,
  listDeliveriesOp,
  resendDeliveryOp,
];
