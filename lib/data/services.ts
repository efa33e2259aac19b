// Image-based services of an environment: what to run, where, with which ports and named volumes (each one a
// Docker volume namespaced by the environment: lib/deploy/names.ts volumeName), and optionally the port it
// serves HTTP on behind the host's proxy (with its health check and domains, as a git service has).
import { z } from "zod";
import { db, type Tx } from "@/lib/db";
import { ACTIVE_ORDER } from "@/lib/deploy/states";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { IMAGE_REF, portSpec, RESTART_POLICIES, volumeSpec } from "@/lib/hosts/service-spec";
import { assertImageAllowed } from "@/lib/net/field-checks";
import type { OutboundPolicy } from "@/lib/net/outbound";
import { volumeName } from "@/lib/deploy/names";
import { parseInput } from "@/lib/validation/parse";
import { blankToUndefined, proxySettings } from "@/lib/validation/proxy-settings";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";
import { lockService } from "./deployments/service-lock";
import { assertHostnamesFree } from "./host-routes";
import { assertCanChange, getEnvironment } from "./projects";
import { cleanUpHosts, deleteLooseRows, doomedServices, stopDeployments } from "./teardown";
import { isUniqueViolation } from "./unique-violation";

const lines = (v: unknown) =>
  typeof v === "string"
    ? v
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
    : v;

// A port or volume is a line of a form's text box, or (from JSON, or parsed once already) the object it
// stands for: parsing twice gives the same, so an operation's input can be handed on to the data layer.
const textOrObject = z.union([z.string(), z.number(), z.looseObject({})]);
const shown = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v)).slice(0, 120);

function portOf(v: string | number | Record<string, unknown>) {
  if (typeof v === "number") return { host: null, container: v, protocol: "tcp" };
  if (typeof v === "object") return { host: null, protocol: "tcp", ...v };
  const m = /^(?:(\d{1,5}):)?(\d{1,5})(?:\/(tcp|udp))?$/.exec(v);
  return m && { host: m[1] ? Number(m[1]) : null, container: Number(m[2]), protocol: m[3] ?? "tcp" };
}

/** "8080:80/tcp", "80" (not published), "53:53/udp", or from JSON 80 or { container, host?, protocol? } */
const portLine = textOrObject.transform((v, c) => {
  const spec = portOf(v);
  const parsed = spec && portSpec.safeParse(spec);
  if (!parsed?.success) {
    c.addIssue({ code: "custom", message: `"${shown(v)}" is not a port: use CONTAINER, or HOST:CONTAINER, with /tcp or /udp.` });
    return z.NEVER;
  }
  return parsed.data;
});
/** "data:/var/lib/data", "cache:/cache:ro", or { source, target, readOnly? } */
const volumeLine = textOrObject.transform((v, c) => {
  const [source, target, mode] = typeof v === "string" ? v.split(":") : [];
  const parsed = volumeSpec.safeParse(
    typeof v === "string" ? { source, target, readOnly: mode === "ro" } : typeof v === "object" ? { readOnly: false, ...v } : v,
  );
  if (!parsed.success || (mode && mode !== "ro" && mode !== "rw")) {
    c.addIssue({ code: "custom", message: parsed.success ? `"${shown(v)}": the mode is ro or rw.` : `"${shown(v)}": ${parsed.error.issues[0]?.message}` });
    return z.NEVER;
  }
  return parsed.data;
});

export const serviceInput = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "Use lowercase letters, digits and dashes."),
  image: z.string().trim().max(512, "At most 512 characters.").regex(IMAGE_REF, "Not an image reference, e.g. nginx:1.27 or registry.example.com/team/api:2."),
  command: z.preprocess(lines, z.array(z.string().max(4096)).max(64)).default([]),
  ports: z.preprocess(lines, z.array(portLine).max(32)).default([]),
  volumes: z.preprocess(lines, z.array(volumeLine).max(32)).default([]),
  restartPolicy: z.enum(RESTART_POLICIES).default("unless-stopped"),
  hostId: z
    .string()
    .trim()
    .max(64)
    .optional()
    .or(z.literal("").transform(() => undefined)),
  // Empty: not behind the proxy (no URL; the health check probes the first TCP port, if any).
  httpPort: z.preprocess(blankToUndefined, proxySettings.httpPort.optional()),
  healthPath: proxySettings.healthPath,
  healthTimeoutSec: proxySettings.healthTimeoutSec,
  domains: proxySettings.domains,
  keepReleases: proxySettings.keepReleases,
});
type ServiceData = z.output<typeof serviceInput>;

function columns(data: Omit<ServiceData, "name">) {
  return {
    ...data,
    hostId: data.hostId ?? null,
    httpPort: data.httpPort ?? null,
    healthPath: data.healthPath ?? null,
    domains: data.httpPort ? data.domains : [],
  };
}

const serviceSelect = {
  id: true,
  name: true,
  image: true,
  command: true,
  ports: true,
  volumes: true,
  restartPolicy: true,
  httpPort: true,
  healthPath: true,
  healthTimeoutSec: true,
  domains: true,
  keepReleases: true,
  hostId: true,
  host: { select: { id: true, name: true, status: true } },
  deployedConfig: true,
  deployedAt: true,
  source: true,
  gitUrl: true,
  gitBranch: true,
  liveDeployment: { select: { number: true, commitSha: true, image: true, imageId: true } },
  servingProblem: true,
  deployments: { orderBy: { number: "desc" }, take: 1, select: { id: true, number: true, status: true } },
} as const;

/** A service's named volumes with the Docker volume each one is on its host (namespaced per environment). */
function dockerVolumes(environmentId: string, volumes: unknown) {
  const list = Array.isArray(volumes) ? (volumes as { source: string; target: string; readOnly: boolean }[]) : [];
  return list.map((v) => ({ ...v, dockerName: volumeName(environmentId, v.source) }));
}

export async function listServices(ctx: TeamContext, environmentId: string) {
  authorize(ctx, "project.read");
  const rows = await db.service.findMany({
    where: { environmentId, environment: { project: { teamId: ctx.team.id } } },
    select: serviceSelect,
    orderBy: { name: "asc" },
  });
  return rows.map((s) => ({ ...s, dockerVolumes: dockerVolumes(environmentId, s.volumes) }));
}

export async function getService(ctx: TeamContext, serviceId: string) {
  authorize(ctx, "project.read");
  const s = await db.service.findFirst({
    where: { id: String(serviceId), environment: { project: { teamId: ctx.team.id } } },
    select: {
      ...serviceSelect,
      environment: { select: { id: true, name: true, slug: true, protected: true, project: { select: { id: true, name: true, slug: true } } } },
    },
  });
  if (!s) throw new NotFoundError("Service not found");
  return s;
}

/**
 * A service's chosen host must be one of the team's (another team's is "not found"). Returns the outbound
 * address policy its admin chose (lib/net/outbound.ts); with no host chosen yet, the strict one.
 */
export async function assertHostOfTeam(ctx: TeamContext, hostId: string | undefined): Promise<OutboundPolicy> {
  if (!hostId) return { allowPrivateNetworks: false };
  const host = await db.host.findFirst({ where: { id: hostId, teamId: ctx.team.id }, select: { allowPrivateNetworks: true } });
  if (!host) throw new NotFoundError("Host not found");
  return { allowPrivateNetworks: host.allowPrivateNetworks };
}

export async function createService(ctx: TeamContext, projectSlug: string, envSlug: string, input: unknown) {
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug);
  assertCanChange(ctx, env);
  const data = parseInput(serviceInput, input);
  await assertImageAllowed(data.image, await assertHostOfTeam(ctx, data.hostId));
  try {
    return await db.$transaction(async (tx) => {
      if (data.hostId && data.httpPort) {
        const place = { name: data.name, environment: { slug: env.slug, project: { slug: project.slug } } };
        await assertHostnamesFree(tx, { hostId: data.hostId, teamId: ctx.team.id, serviceId: null, place, domains: data.domains, generatedField: "name" });
      }
      const s = await tx.service.create({ data: { environmentId: env.id, name: data.name, ...columns(data) }, select: { id: true, name: true } });
      await recordAudit(tx, ctx.actor, {
        teamId: ctx.team.id,
        action: "service.create",
        target: { type: "service", id: s.id, label: `${project.name}/${env.name}/${s.name}` },
        data: { image: data.image },
      });
      return s;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`${env.name} already has a service called ${data.name}.`, { name: ["Already exists."] });
    throw e;
  }
}

/**
 * Deletes a service of either kind: its unfinished deployments are cancelled, its rows go, and its host
 * removes its containers, proxy route and release images; a host that is offline does so when its agent is
 * back (lib/data/teardown.ts).
 */
export async function deleteService(ctx: TeamContext, serviceId: string) {
  const s = await getService(ctx, serviceId);
  assertCanChange(ctx, s.environment);
  const doomed = await doomedServices(ctx.team.id, { serviceId: s.id });
  const cancelled = await stopDeployments([s.id]);
  await db.$transaction(async (tx) => {
    await deleteLooseRows(tx, ctx.team.id, [s.id], []);
    await tx.service.delete({ where: { id: s.id } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "service.delete",
      target: { type: "service", id: s.id, label: `${s.environment.project.name}/${s.environment.name}/${s.name}` },
      data: { deploymentsCancelled: cancelled },
    });
  });
  return { hosts: await cleanUpHosts(doomed, { environmentsGo: false }) };
}

/**
 * A new host for a service of either kind moves it: its next deployment goes there (a promotion or rollback
 * pulls the release from Berth's registry), while the old host keeps serving the live release until a release
 * on the new host is live (lib/data/desired-state.ts). Refused while a deployment of it is unfinished, which
 * runs on the old host; under the service's lock, so none starts meanwhile. Audited as service.move.
 */
export async function moveServiceHost(tx: Tx, ctx: TeamContext, s: { id: string; hostId: string | null; label: string }, to: string | null) {
  if ((s.hostId ?? null) === to) return;
  if (!(await lockService(tx, s.id))) throw new NotFoundError("Service not found");
  const open = await tx.deployment.findFirst({ where: { serviceId: s.id, status: { in: [...ACTIVE_ORDER] } }, select: { number: true } });
  if (open)
    throw new ValidationError(`#${open.number} is still deploying on the current host; wait for it to end (or cancel it), then move the service.`, {
      hostId: [`Wait for #${open.number} to end.`],
    });
  const hosts = await tx.host.findMany({ where: { id: { in: [s.hostId, to].filter((h): h is string => Boolean(h)) } }, select: { id: true, name: true } });
  const name = (id: string | null) => (id ? (hosts.find((h) => h.id === id)?.name ?? id) : null);
  await recordAudit(tx, ctx.actor, {
    teamId: ctx.team.id,
    action: "service.move",
    target: { type: "service", id: s.id, label: s.label },
    data: { from: name(s.hostId), to: name(to), fromId: s.hostId, toId: to },
  });
}

/** Changes what an image service runs; it applies on the next deploy, like a configuration change. */
export async function updateService(ctx: TeamContext, serviceId: string, input: unknown) {
  const s = await getService(ctx, serviceId);
  assertCanChange(ctx, s.environment);
  if (s.source !== "image") throw new ValidationError(`${s.name} is built from git; change it on its page.`);
  const data = parseInput(serviceInput.omit({ name: true }), input);
  await assertImageAllowed(data.image, await assertHostOfTeam(ctx, data.hostId));
  await db.$transaction(async (tx) => {
    if (data.hostId && data.httpPort)
      await assertHostnamesFree(tx, { hostId: data.hostId, teamId: ctx.team.id, serviceId: s.id, place: s, domains: data.domains, generatedField: "hostId" });
    await moveServiceHost(tx, ctx, { ...s, label: `${s.environment.project.name}/${s.environment.name}/${s.name}` }, data.hostId ?? null);
    await tx.service.update({ where: { id: s.id }, data: columns(data) });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "service.update",
      target: { type: "service", id: s.id, label: `${s.environment.project.name}/${s.environment.name}/${s.name}` },
      data: { image: { from: s.image, to: data.image } },
    });
  });
}
