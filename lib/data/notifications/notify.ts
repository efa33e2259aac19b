// The notification entry point: called INSIDE the transaction that records what happened, so a delivery
// exists exactly when the change committed. The control worker's sender (workers/control/notification-sender.ts)
// sends the PENDING rows this writes.
import type { Tx } from "@/lib/db";
import type { NotificationFacts } from "@/lib/notify/events";
import { buildMessage, type NotificationMessage } from "./message";

/** Whether a rule's routing covers the message: null = any project / environment. */
export function routes(rule: { projectId: string | null; environmentId: string | null }, m: Pick<NotificationMessage, "project" | "environment">): boolean {
  if (rule.projectId !== null && rule.projectId !== m.project?.id) return false;
  if (rule.environmentId !== null && rule.environmentId !== m.environment?.id) return false;
  return true;
}

/**
 * Queues one delivery per enabled channel with a rule matching the event and routing (and, with
 * `facts.ruleIds`, only those rules). Two rules on one channel, or the same key again, make one delivery.
 * Returns how many deliveries were queued now.
 */
export async function notify(tx: Tx, facts: NotificationFacts): Promise<number> {
  if (facts.ruleIds && !facts.ruleIds.length) return 0;
  const rules = await tx.notificationRule.findMany({
    where: {
      teamId: facts.teamId,
      events: { has: facts.event },
      channel: { enabled: true, teamId: facts.teamId },
      ...(facts.ruleIds ? { id: { in: facts.ruleIds } } : {}),
    },
    select: { channelId: true, projectId: true, environmentId: true },
  });
  if (!rules.length) return 0;
  const message = await buildMessage(tx, facts);
  const channelIds = [...new Set(rules.filter((r) => routes(r, message)).map((r) => r.channelId))];
  if (!channelIds.length) return 0;
  // createMany with skipDuplicates is INSERT … ON CONFLICT DO NOTHING: the (channelId, eventKey) key holds.
  const { count } = await tx.notificationDelivery.createMany({
    data: channelIds.map((channelId) => ({
      teamId: facts.teamId,
      channelId,
      event: facts.event,
      eventKey: facts.key,
      payload: message as object,
    })),
    skipDuplicates: true,
  });
  return count;
}
