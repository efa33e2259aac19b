// The messages sent (or waiting) to a team's channels, newest first, and sending one again. What is shown:
// status, attempts, the last answer's status and first 500 characters, the error, when it is tried next, and
// the message's title and link (names and links only; the payload never holds a secret).
import { db } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { resendDelivery as queueResend } from "@/lib/data/notifications/queue";
import { deliveryIdInput, deliveryListQuery } from "@/lib/validation/notifications";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "../audit";
import { authorize, type TeamContext } from "../context";

const EXCERPT = 500;

const deliverySelect = {
  id: true,
  event: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  responseStatus: true,
  responseBody: true,
  error: true,
  payload: true,
  createdAt: true,
  deliveredAt: true,
  channel: { select: { id: true, name: true, kind: true } },
} as const;

type Row = Prisma.NotificationDeliveryGetPayload<{ select: typeof deliverySelect }>;

/** The message's title and the page it links to (an http(s) link only), from the stored payload. */
function messageOf(payload: Prisma.JsonValue) {
  const p = payload && typeof payload === "object" && !Array.isArray(payload) ? payload : {};
  const url = typeof p.url === "string" && /^https?:\/\//.test(p.url) ? p.url : null;
  return { title: typeof p.title === "string" ? p.title : null, url };
}

function shown({ payload, responseBody, nextAttemptAt, ...d }: Row) {
  return {
    ...d,
    ...messageOf(payload),
    responseBody: responseBody && responseBody.length > EXCERPT ? `${responseBody.slice(0, EXCERPT)}…` : responseBody,
    nextAttemptAt: d.status === "PENDING" ? nextAttemptAt : null,
  };
}

/** A page of the team's deliveries (or one channel's), newest first, optionally of one status. */
export async function listDeliveries(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.read");
  const q = parseInput(deliveryListQuery, input);
  if (q.channelId) {
    const c = await db.notificationChannel.findFirst({ where: { id: q.channelId, teamId: ctx.team.id }, select: { id: true } });
    if (!c) throw new NotFoundError("Channel not found");
  }
  const where = { teamId: ctx.team.id, ...(q.channelId ? { channelId: q.channelId } : {}), ...(q.status ? { status: q.status } : {}) };
  const [rows, total] = await Promise.all([
    db.notificationDelivery.findMany({
      where,
      select: deliverySelect,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (q.page - 1) * q.limit,
      take: q.limit,
    }),
    db.notificationDelivery.count({ where }),
  ]);
  return { items: rows.map(shown), total, page: q.page, limit: q.limit };
}

export async function getDelivery(ctx: TeamContext, deliveryId: string) {
  authorize(ctx, "notification.read");
  const d = await db.notificationDelivery.findFirst({ where: { id: String(deliveryId), teamId: ctx.team.id }, select: deliverySelect });
  if (!d) throw new NotFoundError("Delivery not found");
  return shown(d);
}

/** Sends a delivered or failed message again (same id, so receivers can drop a duplicate); PENDING is refused. */
export async function resendDelivery(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const { deliveryId } = parseInput(deliveryIdInput, input);
  const d = await getDelivery(ctx, deliveryId);
  if (d.status === "PENDING") throw new ConflictError("This delivery is still being sent: it waits for its next attempt.");
  await db.$transaction(async (tx) => {
    await queueResend(tx, d.id);
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "notification.delivery.resend",
      target: { type: "notification-delivery", id: d.id, label: d.channel.name },
      data: { event: d.event, was: d.status },
    });
  });
  return getDelivery(ctx, d.id);
}
