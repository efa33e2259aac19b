// The message a notification carries: what happened, the names of everything it concerns (team, project,
// environment, service, host, commit) and a link to the page that shows it. Names and links only: never a
// variable's value, a credential or a log. Every name is read with the team's id in the filter, so facts
// naming another team's rows yield nothing of that team.
import type { Tx } from "@/lib/db";
import { env } from "@/lib/env";
import { EVENT_LABELS, type MessageEvent, type NotificationFacts } from "@/lib/notify/events";

type Named = { id: string; name: string; slug: string };

export type NotificationMessage = {
  event: MessageEvent;
  /** One line: "Deployment failed: web in Shop / production". */
  title: string;
  detail: string | null;
  /** The page that shows it, absolute (the app's configured URL). */
  url: string;
  occurredAt: string;
  team: Named;
  project: Named | null;
  environment: Named | null;
  service: { id: string; name: string } | null;
  host: { id: string; name: string } | null;
  deployment: { id: string; number: number; ref: string | null; commitSha: string | null; commitMessage: string | null } | null;
  container: string | null;
};

/** One line of at most `max` characters (messages are read in chats and subjects). */
export function oneLine(text: string | null | undefined, max: number): string | null {
  if (!text) return null;
  const line = text.replace(/\s+/g, " ").trim();
  if (!line) return null;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Facts with every id filled in from the most specific one, each checked against the team. */
type Resolved = Omit<NotificationMessage, "event" | "title" | "detail" | "url" | "occurredAt">;

async function resolve(tx: Tx, facts: Omit<NotificationFacts, "event" | "key">): Promise<Resolved> {
  const team = await tx.team.findUniqueOrThrow({ where: { id: facts.teamId }, select: { id: true, name: true, slug: true } });
  const out: Resolved = { team, project: null, environment: null, service: null, host: null, deployment: null, container: facts.containerName ?? null };
  let serviceId = facts.serviceId ?? null;
  let hostId = facts.hostId ?? null;
  let environmentId = facts.environmentId ?? null;
  let projectId = facts.projectId ?? null;
  if (facts.deploymentId) {
    const d = await tx.deployment.findFirst({
      where: { id: facts.deploymentId, teamId: team.id },
      select: { id: true, number: true, ref: true, commitSha: true, commitMessage: true, serviceId: true, hostId: true },
    });
    if (d) {
      out.deployment = { id: d.id, number: d.number, ref: d.ref, commitSha: d.commitSha, commitMessage: oneLine(d.commitMessage, 200) };
      serviceId ??= d.serviceId;
      hostId ??= d.hostId;
    }
  }
  if (serviceId) {
    const s = await tx.service.findFirst({
      where: { id: serviceId, environment: { project: { teamId: team.id } } },
      select: { id: true, name: true, hostId: true, environmentId: true },
    });
    if (s) {
      out.service = { id: s.id, name: s.name };
      hostId ??= s.hostId;
      environmentId ??= s.environmentId;
    }
  }
  if (environmentId) {
    const e = await tx.environment.findFirst({
      where: { id: environmentId, project: { teamId: team.id } },
      select: { id: true, name: true, slug: true, projectId: true },
    });
    if (e) {
      out.environment = { id: e.id, name: e.name, slug: e.slug };
      projectId ??= e.projectId;
    }
  }
  if (projectId) out.project = await tx.project.findFirst({ where: { id: projectId, teamId: team.id }, select: { id: true, name: true, slug: true } });
  if (hostId) out.host = await tx.host.findFirst({ where: { id: hostId, teamId: team.id }, select: { id: true, name: true } });
  return out;
}

/** The console page that shows what happened: the deployment, else the service, environment, host or team. */
function pageUrl(r: Resolved): string {
  const team = `${env.appUrl}/t/${encodeURIComponent(r.team.slug)}`;
  const env_ = r.project && r.environment ? `${team}/projects/${encodeURIComponent(r.project.slug)}/${encodeURIComponent(r.environment.slug)}` : null;
  if (r.deployment) return `${team}/deployments/${encodeURIComponent(r.deployment.id)}`;
  if (env_ && r.service) return `${env_}/services/${encodeURIComponent(r.service.name)}`;
  if (env_) return env_;
  if (r.host) return `${team}/hosts/${encodeURIComponent(r.host.id)}`;
  if (r.project) return `${team}/projects/${encodeURIComponent(r.project.slug)}`;
  return team;
}

/** "web in Shop / production", "host edge-1", or the team's name. */
function subject(r: Resolved): string {
  const place = r.project && r.environment ? `${r.project.name} / ${r.environment.name}` : (r.project?.name ?? null);
  const what = r.service?.name ?? r.container ?? null;
  if (what && place) return `${what} in ${place}`;
  if (what) return r.host ? `${what} on ${r.host.name}` : what;
  if (place) return place;
  if (r.host) return `host ${r.host.name}`;
  return r.team.name;
}

export async function buildMessage(tx: Tx, facts: Omit<NotificationFacts, "key">, now = new Date()): Promise<NotificationMessage> {
  const r = await resolve(tx, facts);
  return {
    event: facts.event,
    title: `${EVENT_LABELS[facts.event]}: ${subject(r)}`,
    detail: oneLine(facts.detail, 500),
    url: pageUrl(r),
    occurredAt: now.toISOString(),
    ...r,
  };
}

/** A channel's "send test" message: the team's names and a link to its notification settings. */
export function testMessage(team: Named, now = new Date()): NotificationMessage {
  return {
    event: "test",
    title: `${EVENT_LABELS.test}: ${team.name}`,
    detail: "Berth can reach this channel.",
    url: `${env.appUrl}/t/${encodeURIComponent(team.slug)}/settings/notifications`,
    occurredAt: now.toISOString(),
    team,
    project: null,
    environment: null,
    service: null,
    host: null,
    deployment: null,
    container: null,
  };
}
