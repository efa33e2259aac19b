// The audit log: every mutation writes one row in the same transaction as the change itself.
import { db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { AuditFilter } from "@/lib/validation/schemas";
import { authorize, type TeamContext } from "./context";

/** A user, or (id null) another kind of actor named by `email`, e.g. `host:<name>` for a host's own acts. */
export type AuditActor = { id: string | null; email: string; tokenName?: string };

export type AuditEntry = {
  teamId?: string | null;
  action: string;
  target: { type: string; id?: string | null; label?: string | null };
  data?: Prisma.InputJsonValue;
};

export async function recordAudit(tx: Tx, actor: AuditActor | null, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      teamId: entry.teamId ?? null,
      actorId: actor?.id ?? null,
      actorEmail: actor?.email ?? "system",
      tokenName: actor?.tokenName ?? null,
      action: entry.action,
      targetType: entry.target.type,
      targetId: entry.target.id ?? null,
      targetLabel: entry.target.label ?? null,
      data: entry.data,
    },
  });
}

/** The team's audit log, newest first, optionally filtered by actor email and action prefix. */
export async function listAudit(ctx: TeamContext, filter: AuditFilter) {
  authorize(ctx, "audit.read");
  const rows = await db.auditEvent.findMany({
    where: {
      teamId: ctx.team.id,
      ...(filter.actor ? { actorEmail: { contains: filter.actor, mode: "insensitive" } } : {}),
      ...(filter.action ? { action: { startsWith: filter.action } } : {}),
      ...(filter.before ? { createdAt: { lt: new Date(filter.before) } } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit + 1,
    select: {
      id: true,
      actorEmail: true,
      tokenName: true,
      action: true,
      targetType: true,
      targetLabel: true,
      data: true,
      createdAt: true,
    },
  });
  const hasMore = rows.length > filter.limit;
  return { events: rows.slice(0, filter.limit), hasMore };
}

/** Distinct actions seen in the team's log, for the filter menu. */
export async function listAuditActions(ctx: TeamContext): Promise<string[]> {
  authorize(ctx, "audit.read");
  const rows = await db.auditEvent.findMany({
    where: { teamId: ctx.team.id },
    distinct: ["action"],
    select: { action: true },
    orderBy: { action: "asc" },
  });
  return rows.map((r) => r.action);
}
