// A team's notification channels: a signed webhook, a Slack-compatible incoming webhook, or email. The URL
// and the signing secret are sealed (lib/notify/secrets.ts) and never read back here: lists show the URL's
// origin, and the secret is in the one answer that made it (create, rotate). Managing channels is for
// admins (lib/permissions.ts "notification.manage"), who alone may let a URL reach private networks.
import { db } from "@/lib/db";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { newSigningSecret, openChannelUrl, sealChannelUrl, sealSigningSecret, urlLabel } from "@/lib/notify/secrets";
import { queueTestDelivery } from "@/lib/data/notifications/queue";
import { channelCreateInput, channelIdInput, channelUpdateInput } from "@/lib/validation/notifications";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "../audit";
import { authorize, type TeamContext } from "../context";
import { isUniqueViolation } from "../unique-violation";
import { assertChannelUrlAllowed } from "./channel-target";
import { getDelivery } from "./deliveries";
import { ruleSelect } from "./rules";

/** What may be shown of a channel: never `urlSealed` or `signingSecret`. */
const channelSelect = {
  id: true,
  name: true,
  kind: true,
  urlLabel: true,
  emails: true,
  allowPrivateNetworks: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
  rules: { select: ruleSelect, orderBy: { createdAt: "asc" } },
} as const;

const taken = (name: string) => new ConflictError(`This team already has a channel called ${name}.`, { name: ["Already exists."] });

export async function listChannels(ctx: TeamContext) {
  authorize(ctx, "notification.read");
  return db.notificationChannel.findMany({ where: { teamId: ctx.team.id }, select: channelSelect, orderBy: { name: "asc" } });
}

export async function getChannel(ctx: TeamContext, channelId: string) {
  authorize(ctx, "notification.read");
  const c = await db.notificationChannel.findFirst({ where: { id: channelId, teamId: ctx.team.id }, select: channelSelect });
  if (!c) throw new NotFoundError("Channel not found");
  return c;
}

/** The channel with its sealed columns, for this module's writes only. */
async function channelRow(ctx: TeamContext, channelId: string) {
  const c = await db.notificationChannel.findFirst({
    where: { id: String(channelId), teamId: ctx.team.id },
    select: { id: true, teamId: true, name: true, kind: true, urlSealed: true, urlLabel: true, allowPrivateNetworks: true },
  });
  if (!c) throw new NotFoundError("Channel not found");
  return c;
}

const target = (c: { urlLabel: string | null; emails: string[] }) => c.urlLabel ?? `${c.emails.length} recipient${c.emails.length === 1 ? "" : "s"}`;

/** Creates a channel; a webhook's signing secret is in this answer only. */
export async function createChannel(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const data = parseInput(channelCreateInput, input);
  const email = data.kind === "email";
  if (email && !data.emails) throw new ValidationError("Enter the email addresses to send to.", { emails: ["Enter at least one email address."] });
  if (!email && !data.url) throw new ValidationError("Enter the URL to post to.", { url: ["Enter the URL to post to."] });
  const allowPrivateNetworks = !email && data.allowPrivateNetworks;
  if (data.url && !email) await assertChannelUrlAllowed(data.url, allowPrivateNetworks);
  const secret = data.kind === "webhook" ? newSigningSecret() : null;
  try {
    const id = await db.$transaction(async (tx) => {
      const c = await tx.notificationChannel.create({
        data: {
          teamId: ctx.team.id,
          name: data.name,
          kind: data.kind,
          urlLabel: email ? null : urlLabel(data.url!),
          emails: email ? data.emails : [],
          allowPrivateNetworks,
          enabled: data.enabled,
          createdById: ctx.actor.id,
        },
        select: { id: true, urlLabel: true, emails: true },
      });
      if (!email) {
        await tx.notificationChannel.update({
          where: { id: c.id },
          data: { urlSealed: sealChannelUrl(c.id, data.url!), signingSecret: secret ? sealSigningSecret(c.id, secret) : null },
        });
      }
      await recordAudit(tx, ctx.actor, {
        teamId: ctx.team.id,
        action: "notification.channel.create",
        target: { type: "notification-channel", id: c.id, label: data.name },
        data: { kind: data.kind, target: target(c), allowPrivateNetworks, enabled: data.enabled },
      });
      return c.id;
    });
    return { ...(await getChannel(ctx, id)), signingSecret: secret };
  } catch (e) {
    if (isUniqueViolation(e)) throw taken(data.name);
    throw e;
  }
}

/** Changes what is sent; an omitted URL stays as it is, and is checked again when its allowance is withdrawn. */
export async function updateChannel(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const data = parseInput(channelUpdateInput, input);
  const c = await channelRow(ctx, data.channelId);
  const email = c.kind === "email";
  if (email && data.url) throw new ValidationError("An email channel has no URL.", { url: ["An email channel has no URL."] });
  if (!email && data.emails) throw new ValidationError(`A ${c.kind} channel has no email addresses.`, { emails: ["Only for email channels."] });
  const allowPrivateNetworks = email ? false : (data.allowPrivateNetworks ?? c.allowPrivateNetworks);
  if (data.url) await assertChannelUrlAllowed(data.url, allowPrivateNetworks);
  else if (c.urlSealed && c.allowPrivateNetworks && !allowPrivateNetworks) await assertChannelUrlAllowed(openChannelUrl(c.id, c.urlSealed), false);
  const changed = Object.keys(data).filter((k) => k !== "channelId" && data[k as keyof typeof data] !== undefined);
  try {
    await db.$transaction(async (tx) => {
      await tx.notificationChannel.update({
        where: { id: c.id },
        data: {
          name: data.name,
          enabled: data.enabled,
          emails: data.emails,
          allowPrivateNetworks,
          ...(data.url ? { urlSealed: sealChannelUrl(c.id, data.url), urlLabel: urlLabel(data.url) } : {}),
        },
      });
      await recordAudit(tx, ctx.actor, {
        teamId: ctx.team.id,
        action: "notification.channel.update",
        target: { type: "notification-channel", id: c.id, label: data.name ?? c.name },
        data: {
          changed,
          ...(data.url ? { target: urlLabel(data.url) } : {}),
          allowPrivateNetworks,
          ...(data.enabled !== undefined ? { enabled: data.enabled } : {}),
        },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw taken(data.name ?? c.name);
    throw e;
  }
  return getChannel(ctx, c.id);
}

/** Deletes a channel with its rules and deliveries (a delivery being sent finds its row gone and stops). */
export async function deleteChannel(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const { channelId } = parseInput(channelIdInput, input);
  const c = await channelRow(ctx, channelId);
  await db.$transaction(async (tx) => {
    await tx.notificationChannel.deleteMany({ where: { id: c.id, teamId: ctx.team.id } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "notification.channel.delete",
      target: { type: "notification-channel", id: c.id, label: c.name },
      data: { kind: c.kind },
    });
  });
  return { name: c.name };
}

/** A new signing secret for a webhook channel, in this answer only; the old one stops signing at once. */
export async function rotateSigningSecret(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const { channelId } = parseInput(channelIdInput, input);
  const c = await channelRow(ctx, channelId);
  if (c.kind !== "webhook") throw new ValidationError(`A ${c.kind} channel has no signing secret; only webhook channels are signed.`);
  const secret = newSigningSecret();
  await db.$transaction(async (tx) => {
    await tx.notificationChannel.update({ where: { id: c.id }, data: { signingSecret: sealSigningSecret(c.id, secret) } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "notification.channel.secret.rotate",
      target: { type: "notification-channel", id: c.id, label: c.name },
    });
  });
  return { name: c.name, signingSecret: secret };
}

/** Queues a test message on the channel (enabled or not): it shows in the deliveries like any other. */
export async function sendTestNotification(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const { channelId } = parseInput(channelIdInput, input);
  const c = await channelRow(ctx, channelId);
  const deliveryId = await db.$transaction(async (tx) => {
    const id = await queueTestDelivery(tx, c);
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "notification.channel.test",
      target: { type: "notification-channel", id: c.id, label: c.name },
      data: { deliveryId: id },
    });
    return id;
  });
  return getDelivery(ctx, deliveryId);
}
