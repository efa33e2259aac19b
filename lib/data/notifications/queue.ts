// Engine entry points the notification settings (lib/data/notifications/, after their team and role checks)
// call: a channel's "send test", and sending a delivery again.
import { randomUUID } from "node:crypto";
import type { Tx } from "@/lib/db";
import { testMessage } from "./message";

/** Queues a test message on `channel` (enabled or not: the admin asked for it). Returns the delivery's id. */
export async function queueTestDelivery(tx: Tx, channel: { id: string; teamId: string }): Promise<string> {
  const team = await tx.team.findUniqueOrThrow({ where: { id: channel.teamId }, select: { id: true, name: true, slug: true } });
  const row = await tx.notificationDelivery.create({
    data: {
      teamId: channel.teamId,
      channelId: channel.id,
      event: "test",
      eventKey: `test:${randomUUID()}`,
      payload: testMessage(team) as object,
    },
    select: { id: true },
  });
  return row.id;
}

/**
 * Sends a delivery again, whatever its status: PENDING now, with a fresh retry schedule. Its id, hence its
 * webhook-id, stays, so a receiver can tell a resend from a new event. A send in flight when this commits
 * no longer records its outcome (its claim is gone). False when there is no such delivery.
 */
export async function resendDelivery(tx: Tx, deliveryId: string): Promise<boolean> {
  const { count } = await tx.notificationDelivery.updateMany({
    where: { id: deliveryId },
    data: { status: "PENDING", attempts: 0, nextAttemptAt: new Date(), lockedUntil: null, error: null, deliveredAt: null },
  });
  return count === 1;
}
