// Which events go to a channel: the whole team's, or one project's or one environment's (the team's own,
// checked here). Crash-loop thresholds are per rule: restarted `crashRestarts` times in `crashWindowMinutes`.
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { channelIdInput, ruleCreateInput, ruleIdInput, ruleUpdateInput } from "@/lib/validation/notifications";
import { parseInput } from "@/lib/validation/parse";
import { limitOf } from "../api-tokens";
import { recordAudit } from "../audit";
import { authorize, type TeamContext } from "../context";

export const ruleSelect = {
  id: true,
  channelId: true,
  events: true,
  crashRestarts: true,
  crashWindowMinutes: true,
  createdAt: true,
  project: { select: { id: true, name: true, slug: true } },
  environment: { select: { id: true, name: true, slug: true } },
} as const;

async function getRule(ctx: TeamContext, ruleId: string) {
  const r = await db.notificationRule.findFirst({
    where: { id: String(ruleId), teamId: ctx.team.id },
    select: { ...ruleSelect, channel: { select: { name: true } } },
  });
  if (!r) throw new NotFoundError("Rule not found");
  return r;
}

/** The rule's fields from its input, its project and environment checked to be the team's. */
async function ruleData(
  ctx: TeamContext,
  data: { events: string[]; projectId?: string; environmentId?: string; crashRestarts: number; crashWindowMinutes: number },
) {
  const limit = await limitOf(ctx, data.projectId, data.environmentId);
  return {
    fields: {
      events: data.events,
      projectId: limit.projectId,
      environmentId: limit.environmentId,
      crashRestarts: data.crashRestarts,
      crashWindowMinutes: data.crashWindowMinutes,
    },
    audit: { events: data.events, routedTo: limit.label ?? "whole team", crashRestarts: data.crashRestarts, crashWindowMinutes: data.crashWindowMinutes },
  };
}

export async function createRule(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const { channelId } = parseInput(channelIdInput, input);
  const channel = await db.notificationChannel.findFirst({ where: { id: channelId, teamId: ctx.team.id }, select: { id: true, name: true } });
  if (!channel) throw new NotFoundError("Channel not found");
  const { fields, audit } = await ruleData(ctx, parseInput(ruleCreateInput, input));
  const id = await db.$transaction(async (tx) => {
    const r = await tx.notificationRule.create({ data: { teamId: ctx.team.id, channelId: channel.id, ...fields }, select: { id: true } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "notification.rule.create",
      target: { type: "notification-rule", id: r.id, label: channel.name },
      data: audit,
    });
    return r.id;
  });
  return getRule(ctx, id);
}

/** Replaces a rule's events, routing and thresholds. */
export async function updateRule(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const data = parseInput(ruleUpdateInput, input);
  const rule = await getRule(ctx, data.ruleId);
  const { fields, audit } = await ruleData(ctx, data);
  await db.$transaction(async (tx) => {
    await tx.notificationRule.updateMany({ where: { id: rule.id, teamId: ctx.team.id }, data: fields });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "notification.rule.update",
      target: { type: "notification-rule", id: rule.id, label: rule.channel.name },
      data: audit,
    });
  });
  return getRule(ctx, rule.id);
}

export async function deleteRule(ctx: TeamContext, input: unknown) {
  authorize(ctx, "notification.manage");
  const { ruleId } = parseInput(ruleIdInput, input);
  const rule = await getRule(ctx, ruleId);
  await db.$transaction(async (tx) => {
    await tx.notificationRule.deleteMany({ where: { id: rule.id, teamId: ctx.team.id } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "notification.rule.delete",
      target: { type: "notification-rule", id: rule.id, label: rule.channel.name },
      data: { events: rule.events },
    });
  });
}
