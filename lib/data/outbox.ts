// The email outbox. Rows are written in the same transaction as what caused them; a job then delivers
// each one, and the control worker re-queues any row whose job never made it onto the bus.
import { db, type Tx } from "@/lib/db";
import type { Role } from "@/lib/generated/prisma/enums";
import { enqueue } from "@/lib/jobs/enqueue";
import { deliverEmail } from "@/lib/jobs/definitions";
import { ROLE_RANK, ROLES } from "@/lib/permissions";
import { authorize, type TeamContext } from "./context";

/**
 * `teamId` null: an account email (a password reset), listed in no team's outbox. `readRole`: the least
 * role that may read it in the team's outbox (default admin; an invite's is the least role that could create it).
 */
export type OutgoingEmail = { teamId: string | null; readRole?: Role; to: string; subject: string; body: string };

export async function queueOutboxEmail(tx: Tx, email: OutgoingEmail): Promise<string> {
  const row = await tx.outboxEmail.create({ data: email, select: { id: true } });
  return row.id;
}

/** Puts the delivery job on the bus. If Redis is down the row stays queued and the relay retries it. */
export async function dispatchOutboxEmail(outboxId: string): Promise<void> {
  try {
    await enqueue(deliverEmail, { outboxId }, outboxId);
  } catch (e) {
    console.error(`outbox: could not enqueue ${outboxId}; the control worker will retry it:`, e);
  }
}

export async function listOutbox(ctx: TeamContext) {
  authorize(ctx, "outbox.read");
  const readable = ROLES.filter((r) => ROLE_RANK[r] <= ROLE_RANK[ctx.role]);
  return db.outboxEmail.findMany({
    where: { teamId: ctx.team.id, readRole: { in: readable } },
    select: { id: true, to: true, subject: true, body: true, status: true, error: true, attempts: true, createdAt: true, deliveredAt: true },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
}

// --- Worker side: system jobs, no team context (the row's team is re-read with it) -----------------

export const ACCOUNT_EMAIL_DELIVERED = "(an account email: its text is not kept after delivery)";

/**
 * Delivers one email. Without a mail server, delivery is recording it as sent in the outbox; an account
 * email (a password reset), which no team's outbox shows, is printed to this worker's log for the
 * instance's operator to pass on, and its body is not kept afterwards: the link in it opens the account.
 */
export async function deliverOutboxEmail(outboxId: string): Promise<"delivered" | "already" | "missing"> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM "OutboxEmail" WHERE id = ${outboxId} FOR UPDATE`;
    if (!rows[0]) return "missing"; // its team was deleted meanwhile
    if (rows[0].status === "DELIVERED") return "already";
    const sent = await tx.outboxEmail.update({
      where: { id: outboxId },
      data: { status: "DELIVERED", deliveredAt: new Date(), error: null, attempts: { increment: 1 } },
      select: { teamId: true, to: true, subject: true, body: true },
    });
    if (sent.teamId === null) {
      console.log(`account email for ${sent.to} (no mail server configured): ${sent.subject}\n${sent.body}`);
      await tx.outboxEmail.update({ where: { id: outboxId }, data: { body: ACCOUNT_EMAIL_DELIVERED } });
    }
    return "delivered";
  });
}

export async function markOutboxFailed(outboxId: string, error: string, final: boolean): Promise<void> {
  await db.outboxEmail.updateMany({
    where: { id: outboxId, status: { not: "DELIVERED" } },
    data: { error: error.slice(0, 500), attempts: { increment: 1 }, ...(final ? { status: "FAILED" } : {}) },
  });
}

/** Queued rows older than `ageMs`: their job was lost or never enqueued. */
export async function staleOutboxIds(ageMs: number): Promise<string[]> {
  const rows = await db.outboxEmail.findMany({
    where: { status: "QUEUED", createdAt: { lt: new Date(Date.now() - ageMs) } },
    select: { id: true },
    take: 100,
  });
  return rows.map((r) => r.id);
}
