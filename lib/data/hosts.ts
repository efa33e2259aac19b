// Hosts of a team: add (pending, with a one-time install command; or with a process agent's URL at once), list, rename, remove (revoking its login).
import { z } from "zod";
import { db } from "@/lib/db";
import { ACTIVE_ORDER, ending } from "@/lib/deploy/states";
import { NotFoundError } from "@/lib/errors";
import { forgetHost } from "@/lib/hosts/forget-host";
import { agentRedisUrl, provisionHostUser } from "@/lib/hosts/redis-acl";
import type { Prisma } from "@/lib/generated/prisma/client";
import { hostListQuery } from "@/lib/validation/list-query";
import { parseInput } from "@/lib/validation/parse";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { newHostToken } from "./host-auth";
import { issueEnrollToken } from "./host-enrollment";
import { assertBaseDomainFree } from "./host-routes";
import { publishLive } from "@/lib/live/publish";
import { adminRedis } from "@/lib/redis/admin";
import { notifyDeploymentEnded } from "@/lib/data/notifications/deployment-alerts";

export const hostNameInput = z.object({
  name: z.string({ error: "Enter a name." }).trim().min(1, "Enter a name.").max(60, "Use at most 60 characters."),
});

const hostSelect = {
  id: true,
  name: true,
  isLocal: true,
  status: true,
  statusSince: true,
  lastHeartbeatAt: true,
  lastSnapshotAt: true,
  agentVersion: true,
  dockerVersion: true,
  apiVersion: true,
  os: true,
  cpuCount: true,
  cpuPercent: true,
  memTotalBytes: true,
  memUsedBytes: true,
  images: true,
  createdAt: true,
  baseDomain: true,
  buildConcurrency: true,
  allowPrivateNetworks: true,
  protocolVersion: true,
  protocolProblem: true,
  agentInContainer: true,
  enrollExpiresAt: true,
} as const;

/** One page of a list and how many rows match in all. */
export type ListPage<T> = { items: T[]; total: number; page: number; limit: number };

/**
 * One page of the team's hosts by name, filtered in the query (`q` in the name, one `status`), each with how many
 * of its containers are in each state (counted for the hosts on the page only), and how many hosts match.
 */
export async function listHosts(ctx: TeamContext, query: unknown = {}) {
  authorize(ctx, "host.read");
  const { q, status, page, limit } = parseInput(hostListQuery, query);
  const where: Prisma.HostWhereInput = { teamId: ctx.team.id, ...(status ? { status } : {}), ...(q ? { name: { contains: q, mode: "insensitive" } } : {}) };
  const [hosts, total] = await Promise.all([
    db.host.findMany({ where, select: hostSelect, orderBy: [{ name: "asc" }, { id: "asc" }], skip: (page - 1) * limit, take: limit }),
    db.host.count({ where }),
  ]);
  const counts = hosts.length ? await db.container.groupBy({ by: ["hostId", "state"], where: { hostId: { in: hosts.map((h) => h.id) } }, _count: true }) : [];
  const items = hosts.map((h) => ({
    ...h,
    containers: Object.fromEntries(counts.filter((c) => c.hostId === h.id).map((c) => [c.state, c._count])) as Record<string, number>,
  }));
  return { items, total, page, limit } satisfies ListPage<(typeof items)[number]>;
}

/** How many hosts a service form lists; a team with more gets a search (components/hosts/host-picker.tsx). */
export const HOST_CHOICES_LISTED = 50;

/**
 * The team's hosts for choosing one (a service's host; this machine's first): ids and names, no counts. All of
 * them up to HOST_CHOICES_LISTED; past that the first ones and those in `include` (the current choices), with
 * the total, and the form searches instead: at 1,000 hosts a list was 1,000 options in every service form.
 */
export async function hostChoices(ctx: TeamContext, include: readonly (string | null | undefined)[] = []) {
  authorize(ctx, "host.read");
  const where = { teamId: ctx.team.id };
  const select = { id: true, name: true, status: true } as const;
  const first = await db.host.findMany({ where, select, orderBy: [{ isLocal: "desc" }, { createdAt: "asc" }], take: HOST_CHOICES_LISTED + 1 });
  if (first.length <= HOST_CHOICES_LISTED) return { hosts: first, total: first.length };
  const listed = first.slice(0, HOST_CHOICES_LISTED);
  const missing = [...new Set(include.filter((id): id is string => Boolean(id) && !listed.some((h) => h.id === id)))];
  const [named, total] = await Promise.all([
    missing.length ? db.host.findMany({ where: { ...where, id: { in: missing } }, select }) : [],
    db.host.count({ where }),
  ]);
  return { hosts: [...listed, ...named], total };
}
export type HostChoices = Awaited<ReturnType<typeof hostChoices>>;

export async function getHost(ctx: TeamContext, hostId: string) {
  authorize(ctx, "host.read");
  const host = await db.host.findFirst({ where: { id: String(hostId), teamId: ctx.team.id }, select: hostSelect });
  if (!host) throw new NotFoundError("Host not found");
  return host;
}

/**
 * The console's "Add host": the host (pending) and, once, its install command. The command carries a one-time
 * enrollment token that the agent trades for its password (lib/data/host-enrollment.ts); until then the host
 * has a password nobody knows and no Redis login.
 */
export async function addHost(ctx: TeamContext, input: unknown) {
  authorize(ctx, "host.manage");
  const { name } = parseInput(hostNameInput, input);
  return db.$transaction(async (tx) => {
    const host = await tx.host.create({ data: { teamId: ctx.team.id, name, tokenHash: newHostToken().tokenHash }, select: { id: true, name: true } });
    const install = await issueEnrollToken(tx, host.id);
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "host.create", target: { type: "host", id: host.id, label: name } });
    return { ...host, install };
  });
}

/**
 * A host whose agent runs as a process from a checkout of Berth (`BERTH_AGENT_URL=… npm run agent`; tests and
 * benchmarks): its Redis login at once, returned as the agent's URL. The console adds hosts with `addHost`.
 */
export async function createHost(ctx: TeamContext, input: unknown) {
  authorize(ctx, "host.manage");
  const { name } = parseInput(hostNameInput, input);
  const { token, tokenHash } = newHostToken();
  const host = await db.$transaction(async (tx) => {
    const host = await tx.host.create({ data: { teamId: ctx.team.id, name, tokenHash }, select: { id: true, name: true } });
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "host.create", target: { type: "host", id: host.id, label: name } });
    return host;
  });
  try {
    await provisionHostUser(host.id, tokenHash);
  } catch (e) {
    await db.host.delete({ where: { id: host.id } });
    throw e;
  }
  return { ...host, agentUrl: agentRedisUrl(host.id, token) };
}

export async function renameHost(ctx: TeamContext, hostId: string, input: unknown) {
  authorize(ctx, "host.manage");
  const { name } = parseInput(hostNameInput, input);
  const before = await getHost(ctx, hostId);
  await db.$transaction(async (tx) => {
    await tx.host.update({ where: { id: before.id }, data: { name } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "host.rename",
      target: { type: "host", id: before.id, label: name },
      data: { name: { from: before.name, to: name } },
    });
  });
}

export const hostDeployInput = z.object({
  baseDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?=.{1,200}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, "A domain like apps.example.com, or localhost."),
  buildConcurrency: z.coerce.number({ message: "A number." }).int().min(1, "At least 1.").max(16, "At most 16."),
  // A checkbox: absent when unticked.
  allowPrivateNetworks: z
    .union([z.boolean(), z.enum(["on", "true", "false", ""])])
    .optional()
    .transform((v) => v === true || v === "on" || v === "true"),
});

/**
 * Where this host's services answer (`<service>.<env>.<project>.<base domain>`), how many deploys it runs at
 * once, and whether clones and image pulls users steer may reach private networks from it (lib/net/outbound.ts).
 */
export async function updateHostDeploySettings(ctx: TeamContext, hostId: string, input: unknown) {
  authorize(ctx, "host.manage");
  const data = parseInput(hostDeployInput, input);
  const before = await getHost(ctx, hostId);
  await db.$transaction(async (tx) => {
    // Every generated name moves with the base domain: none may land on another service's custom domain.
    await assertBaseDomainFree(tx, { hostId: before.id, teamId: ctx.team.id, baseDomain: data.baseDomain });
    await tx.host.update({ where: { id: before.id }, data });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "host.deploy-settings",
      target: { type: "host", id: before.id, label: before.name },
      data: {
        baseDomain: { from: before.baseDomain, to: data.baseDomain },
        buildConcurrency: { from: before.buildConcurrency, to: data.buildConcurrency },
        allowPrivateNetworks: { from: before.allowPrivateNetworks, to: data.allowPrivateNetworks },
      },
    });
  });
}

/** Removes the host and its container records, and at once its Redis login and keys (lib/hosts/forget-host.ts). */
export async function removeHost(ctx: TeamContext, hostId: string) {
  authorize(ctx, "host.manage");
  const host = await getHost(ctx, hostId);
  const ended = await db.$transaction(async (tx) => {
    // Its unfinished deployments end here: nothing would ever run or report them again.
    const now = new Date();
    const open = await tx.deployment.findMany({
      where: { hostId: host.id, status: { in: [...ACTIVE_ORDER] } },
      select: { id: true, steps: true, serviceId: true },
    });
    for (const d of open) {
      const error = `The host ${host.name} was removed.`;
      await tx.deployment.update({ where: { id: d.id }, data: { ...ending(d.steps, "FAILED", now), error, log: "" } });
      await notifyDeploymentEnded(tx, { id: d.id, teamId: ctx.team.id }, "FAILED", error);
    }
    await tx.host.delete({ where: { id: host.id } });
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "host.remove", target: { type: "host", id: host.id, label: host.name } });
    return open;
  });
  await forgetHost(host.id);
  // The team's pages drop the host, and pages and log streams of its deployments learn of their end now (no
  // agent will report it).
  await publishLive(adminRedis(), ctx.team.id, { kind: "host", hostId: host.id }).catch(() => {});
  for (const d of ended)
    await publishLive(adminRedis(), ctx.team.id, { kind: "deployment", hostId: host.id, serviceId: d.serviceId, deploymentId: d.id, status: "FAILED" }).catch(
      () => {},
    );
}
