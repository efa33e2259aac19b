// Things the console asks a host's agent for, after the same team and role checks as any other read or
// write. Container ids are checked against the team's own container records before a job is sent.
import { ValidationError } from "@/lib/errors";
import { callHost } from "@/lib/hosts/call-host";
import type { ContainerAction } from "@/lib/hosts/protocol";
import {
  containerActionJob,
  containerEnvJob,
  containerInspectJob,
  containerLogsJob,
  containerStatsJob,
  imageRemoveJob,
  imagesListJob,
} from "@/lib/jobs/host-jobs";
import { db } from "@/lib/db";
import { recordAudit } from "./audit";
import { containerPermissionFor } from "./container-protection";
import { getContainer } from "./containers";
import { authorize, type TeamContext } from "./context";
import { getHost } from "./hosts";
import { maskSecrets } from "@/lib/config/mask";
import { secretValuesOfService } from "./resolved-config";

/** A host whose agent takes jobs: online, and speaking Berth's protocol (lib/hosts/handshake.ts). */
function takingJobs<H extends { name: string; status: string; protocolProblem: string | null }>(host: H): H {
  if (host.status !== "ONLINE") throw new ValidationError(`${host.name} is offline: its agent has not reported for a while.`);
  if (host.protocolProblem) throw new ValidationError(host.protocolProblem);
  return host;
}

async function onlineHost(ctx: TeamContext, hostId: string) {
  return takingJobs(await getHost(ctx, hostId));
}

/** The team's container and, in the same read, that its host takes jobs (the container page polls these). */
async function containerOnline(ctx: TeamContext, hostId: string, dockerId: string) {
  const c = await getContainer(ctx, hostId, dockerId);
  takingJobs(c.host);
  return c;
}

/** Start, stop, restart, kill, remove: a protected environment's containers only by those who may change it. */
export async function actOnContainer(ctx: TeamContext, hostId: string, dockerId: string, action: ContainerAction) {
  authorize(ctx, "container.act");
  const c = await getContainer(ctx, hostId, dockerId);
  authorize(ctx, await containerPermissionFor(ctx, c, "act"));
  takingJobs(c.host);
  await callHost(hostId, containerActionJob, { dockerId: c.dockerId, action });
  await db.$transaction((tx) =>
    recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: `container.${action}`,
      target: { type: "container", id: c.dockerId, label: `${c.host.name}/${c.name}` },
    }),
  );
}

/** Log lines; in a container Berth deployed, the secret values it was given are masked. */
export async function containerLogs(ctx: TeamContext, hostId: string, dockerId: string, opts: { tail: number; since?: number; timestamps: boolean }) {
  const c = await containerOnline(ctx, hostId, dockerId);
  const res = await callHost(hostId, containerLogsJob, { dockerId: c.dockerId, ...opts });
  const serviceId = (c.labels as Record<string, string>)["berth.service.id"];
  const secrets = serviceId ? await secretValuesOfService(ctx.team.id, serviceId) : [];
  return secrets.length ? { lines: res.lines.map((l) => ({ ...l, text: maskSecrets(l.text, secrets) })) } : res;
}

export async function containerStats(ctx: TeamContext, hostId: string, dockerId: string) {
  const c = await containerOnline(ctx, hostId, dockerId);
  return callHost(hostId, containerStatsJob, { dockerId: c.dockerId }, 10_000);
}

export async function containerDetails(ctx: TeamContext, hostId: string, dockerId: string) {
  const c = await containerOnline(ctx, hostId, dockerId);
  return callHost(hostId, containerInspectJob, { dockerId: c.dockerId }, 10_000);
}

/** Environment values, secrets included: developers and above, admins for a protected environment; audited. */
export async function revealContainerEnv(ctx: TeamContext, hostId: string, dockerId: string) {
  authorize(ctx, "container.env");
  const c = await getContainer(ctx, hostId, dockerId);
  authorize(ctx, await containerPermissionFor(ctx, c, "env"));
  takingJobs(c.host);
  const res = await callHost(hostId, containerEnvJob, { dockerId: c.dockerId }, 10_000);
  await db.$transaction((tx) =>
    recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "container.env.reveal",
      target: { type: "container", id: c.dockerId, label: `${c.host.name}/${c.name}` },
    }),
  );
  return res.env;
}

export async function listHostImages(ctx: TeamContext, hostId: string) {
  await onlineHost(ctx, hostId);
  return (await callHost(hostId, imagesListJob, {}, 15_000)).images;
}

export async function removeHostImage(ctx: TeamContext, hostId: string, imageId: string) {
  authorize(ctx, "container.act");
  const host = await onlineHost(ctx, hostId);
  await callHost(hostId, imageRemoveJob, { imageId });
  await db.$transaction((tx) =>
    recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "image.remove",
      target: { type: "image", id: imageId, label: `${host.name}/${imageId.replace("sha256:", "").slice(0, 12)}` },
    }),
  );
}
