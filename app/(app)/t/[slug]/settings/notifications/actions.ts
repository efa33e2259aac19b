"use server";
// Notification settings from the settings pages: the same operations as the JSON API
// (lib/api/operations/notifications.ts).
import { formAction } from "@/lib/api/form";
import {
  createChannelOp,
  createRuleOp,
  deleteChannelOp,
  deleteRuleOp,
  resendDeliveryOp,
  rotateSecretOp,
  sendTestOp,
  updateChannelOp,
  updateRuleOp,
} from "@/lib/api/operations/notifications";
import { NOTIFICATION_EVENTS } from "@/lib/notify/events";

type Values = Record<string, string>;

const page = (v: Values) => `/t/${v.team}/settings/notifications`;

/**
 * A rule form's fields as the operation's input: one checkbox per event (`event:deployment.failed`) and one
 * select for the routing (`project:<id>` or `environment:<id>`; empty: the whole team).
 */
function ruleInput(v: Values): Record<string, unknown> {
  const [kind, id] = (v.limit ?? "").split(/:(.*)/s);
  return {
    ...(v.channelId ? { channelId: v.channelId } : {}),
    ...(v.ruleId ? { ruleId: v.ruleId } : {}),
    events: NOTIFICATION_EVENTS.filter((e) => v[`event:${e}`]),
    crashRestarts: v.crashRestarts,
    crashWindowMinutes: v.crashWindowMinutes,
    // Anything but an environment names a project, so a forged value is refused as "not one of this team's".
    ...(kind === "environment" ? { environmentId: id } : kind ? { projectId: id ?? kind } : {}),
  };
}

export const createChannelAction = formAction(createChannelOp, {
  // Only the fields of the chosen kind: the hidden ones of another kind are not its input.
  input: (v) => ({
    team: v.team,
    name: v.name,
    kind: v.kind,
    ...(v.kind === "email" ? { emails: v.emails } : { url: v.url, allowPrivateNetworks: v.allowPrivateNetworks }),
  }),
  done: (c, v) => ({
    revalidate: page(v),
    message: `${c.name} added. Add a rule to choose which events it receives.`,
    ...(c.signingSecret ? { data: { signingSecret: c.signingSecret, name: c.name } } : {}),
  }),
});

export const updateChannelAction = formAction(updateChannelOp, {
  done: (c, v) => ({ revalidate: page(v), message: `${c.name} saved${c.enabled ? "" : " (disabled: it sends nothing)"}.` }),
});

export const deleteChannelAction = formAction(deleteChannelOp, { done: (c, v) => ({ revalidate: page(v), message: `${c.name} was deleted.` }) });

export const rotateSecretAction = formAction(rotateSecretOp, {
  done: (s, v) => ({ revalidate: page(v), data: { signingSecret: s.signingSecret, name: s.name } }),
});

export const sendTestAction = formAction(sendTestOp, {
  done: (d, v) => ({ revalidate: page(v), message: `Test message queued for ${d.channel.name}: its delivery is listed under Deliveries.` }),
});

export const createRuleAction = formAction(createRuleOp, { input: ruleInput, done: (_, v) => ({ revalidate: page(v), message: "Rule added." }) });

export const updateRuleAction = formAction(updateRuleOp, { input: ruleInput, done: (_, v) => ({ revalidate: page(v), message: "Rule saved." }) });

export const deleteRuleAction = formAction(deleteRuleOp, { done: (_, v) => ({ revalidate: page(v) }) });

export const resendDeliveryAction = formAction(resendDeliveryOp, {
  done: (d, v) => ({ revalidate: `${page(v)}/deliveries`, message: `Sending again to ${d.channel.name}.` }),
});
