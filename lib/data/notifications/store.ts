// The sender's rows: claiming due deliveries and recording what became of each. Worker side, no team
// context: a delivery and its channel belong to the same team by construction (notify, queue.ts).
import { db } from "@/lib/db";
import { dispatchOutboxEmail, queueOutboxEmail } from "@/lib/data/outbox";

/** How long a claim holds a delivery: more than a send can take (DNS 5 s + the answer's timeout). */
export const CLAIM_MS = 60_000;

export type Claimed = { id: string; teamId: string; channelId: string; event: string; payload: unknown; attempts: number; lockedUntil: Date };

/**
 * Claims up to `limit` due deliveries in one statement: rows another worker holds are skipped (SKIP LOCKED)
 * and a claimed row stays invisible to every other worker until its claim runs out, so any number of control
 * workers, and one restarted after a crash, never send a row twice at once. The claim counts the attempt.
 */
export async function claimDueDeliveries(limit: number, now = new Date()): Promise<Claimed[]> {
  if (limit <= 0) return [];
  const lockedUntil = new Date(now.getTime() + CLAIM_MS);
  const rows = await db.$queryRaw<Omit<Claimed, "lockedUntil">[]>`
    UPDATE "NotificationDelivery" SET "lockedUntil" = ${lockedUntil}, attempts = attempts + 1, "updatedAt" = ${now}
    WHERE id IN (
      SELECT id FROM "NotificationDelivery"
      WHERE status = 'PENDING' AND "nextAttemptAt" <= ${now} AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${now})
      ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id, "teamId", "channelId", event, payload, attempts`;
  return rows.map((r) => ({ ...r, lockedUntil }));
}

export async function loadChannel(channelId: string) {
  return db.notificationChannel.findUnique({
    where: { id: channelId },
    select: { id: true, teamId: true, kind: true, urlSealed: true, signingSecret: true, emails: true, allowPrivateNetworks: true, enabled: true },
  });
}

export type Outcome = {
  status: "DELIVERED" | "PENDING" | "FAILED";
  nextAttemptAt?: Date;
  responseStatus?: number | null;
  responseBody?: string | null;
  error?: string | null;
};

/** Only while the claim is still ours: a resend meanwhile (queue.ts) made it another attempt's. */
const ours = (c: Claimed) => ({ id: c.id, status: "PENDING" as const, lockedUntil: c.lockedUntil });

export async function recordOutcome(c: Claimed, o: Outcome, now = new Date()): Promise<boolean> {
  const { count } = await db.notificationDelivery.updateMany({
    where: ours(c),
    data: {
      status: o.status,
      lockedUntil: null,
      responseStatus: o.responseStatus ?? null,
      responseBody: o.responseBody ?? null,
      error: o.error ? o.error.slice(0, 1000) : null,
      ...(o.nextAttemptAt ? { nextAttemptAt: o.nextAttemptAt } : {}),
      ...(o.status === "DELIVERED" ? { deliveredAt: now } : {}),
    },
  });
  return count === 1;
}

/** An email channel: one outbox email per recipient, and the delivery DELIVERED, in one transaction. */
export async function deliverByEmail(c: Claimed, to: string[], email: { subject: string; body: string }, now = new Date()): Promise<void> {
  const ids = await db.$transaction(async (tx) => {
    const { count } = await tx.notificationDelivery.updateMany({
      where: ours(c),
      data: {
        status: "DELIVERED",
        lockedUntil: null,
        deliveredAt: now,
        error: null,
        responseStatus: null,
        responseBody: `queued ${to.length} email(s) in the outbox`,
      },
    });
    if (count === 0) return [];
    const out: string[] = [];
    for (const address of to) out.push(await queueOutboxEmail(tx, { teamId: c.teamId, to: address, ...email }));
    return out;
  });
  for (const id of ids) await dispatchOutboxEmail(id);
}
