// What each kind of channel receives for one message. Pure.
import type { NotificationMessage } from "@/lib/data/notifications/message";

/** A webhook channel's body: Standard Webhooks' envelope, the message as `data`. */
export function webhookBody(m: NotificationMessage): string {
  return JSON.stringify({ type: m.event, timestamp: m.occurredAt, data: m });
}

/** Slack's control characters in text: &, < and > (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** "Team: Acme · Project: Shop · …": every name the message has, one line. */
function facts(m: NotificationMessage): [string, string][] {
  const out: [string, string][] = [["Team", m.team.name]];
  if (m.project) out.push(["Project", m.project.name]);
  if (m.environment) out.push(["Environment", m.environment.name]);
  if (m.service) out.push(["Service", m.service.name]);
  if (m.container) out.push(["Container", m.container]);
  if (m.host) out.push(["Host", m.host.name]);
  if (m.deployment) {
    const sha = m.deployment.commitSha?.slice(0, 7);
    out.push(["Deployment", `#${m.deployment.number}`]);
    if (sha) out.push(["Commit", m.deployment.commitMessage ? `${sha} ${m.deployment.commitMessage}` : sha]);
  }
  return out;
}

/** A Slack incoming-webhook body: `text` for notifications and old clients, `blocks` for the message itself. */
export function slackBody(m: NotificationMessage): string {
  // A link's label ends at "|", so the title loses it there.
  const link = `<${slackEscape(m.url)}|${slackEscape(m.title).replace(/\|/g, "¦")}>`;
  const lines = [`*${link}*`];
  if (m.detail) lines.push(slackEscape(m.detail));
  const context = facts(m)
    .map(([k, v]) => `${k}: *${slackEscape(v)}*`)
    .join("  ·  ");
  return JSON.stringify({
    text: slackEscape(m.detail ? `${m.title}: ${m.detail}` : m.title),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
      { type: "context", elements: [{ type: "mrkdwn", text: context }] },
    ],
  });
}

/** An email channel's message: plain text. */
export function emailMessage(m: NotificationMessage): { subject: string; body: string } {
  const body = [
    m.title,
    "",
    ...(m.detail ? [m.detail, ""] : []),
    ...facts(m).map(([k, v]) => `${k}: ${v}`),
    `When: ${m.occurredAt}`,
    "",
    `Open in Berth: ${m.url}`,
  ];
  return { subject: `[Berth] ${m.title}`, body: body.join("\n") };
}
