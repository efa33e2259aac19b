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

/** The rules that hear `event` in these teams: theirs, on an enabled channel of the same team. */
function listeningRules(teamIds: string[], event: NotificationFacts["event"]) {
  return { teamId: { in: teamIds }, events: { has: event }, channel: { enabled: true, teamId: { in: teamIds } } };
}

/** Which of `teamIds` have any rule for `event` (a cheap pre-check before telling many hosts' news). */
export async function listeningTeams(tx: Tx, teamIds: string[], event: NotificationFacts["event"]): Promise<Set<string>> {
  if (!teamIds.length) return new Set();
  const rules = await tx.notificationRule.findMany({ where: listeningRules(teamIds, event), select: { teamId: true }, distinct: ["teamId"] });
  return new Set(rules.map((r) => r.teamId));
}

/**
 * Queues one delivery per enabled channel with a rule matching the event and routing (and, with
 * `facts.ruleIds`, only those rules). Two rules on one channel, or the same key again, make one delivery.
 * Returns how many deliveries were queued now.
 */
export async function notify(tx: Tx, facts: NotificationFacts): Promise<number> {
  if (facts.ruleIds && !facts.ruleIds.length) return 0;
  const rules = await tx.notificationRule.findMany({
    where: { ...listeningRules([facts.teamId], facts.event), ...(facts.ruleIds ? { id: { in: facts.ruleIds } } : {}) },
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
