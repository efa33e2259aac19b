// New deployments: a build of the branch (Deploy button, webhook push), a rollback to an earlier release,
// or a promotion of another environment's release (on any host of the team: a release that ran elsewhere is
// pulled from Berth's registry by its digest, spec.ts). Each is written QUEUED with its audit row, then the
// scheduler is nudged; nothing here waits for the host.
import { db, type Tx } from "@/lib/db";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { enqueue } from "@/lib/jobs/enqueue";
import { dispatchDeploymentsJob } from "@/lib/jobs/definitions";
import { publishLive } from "@/lib/live/publish";
import { adminRedis } from "@/lib/redis/admin";
import type { AuditActor } from "../audit";
import { recordAudit } from "../audit";
import { authorize, type TeamContext } from "../context";
import { assertCanChange } from "../projects";
import { imageTag } from "@/lib/deploy/names";
import { dispatchAndTell } from "./dispatch";
import { retryOnConflict } from "./retry";
import { berthRegistry, pullableRef } from "./registry";
import { lockService } from "./service-lock";

type NewDeployment = {
  teamId: string;
  service: { id: string; hostId: string | null; label: string };
  trigger: "manual" | "webhook" | "rollback" | "promote";
  ref: string | null;
  requestedCommit?: string | null;
  /** An image service's deployment: the reference it pulls (a rollback or promotion: the release's). */
  image?: string | null;
  source?: { id: string; imageId: string; image?: string | null; commitSha: string | null; commitMessage: string | null; commitAuthor: string | null };
  actor: AuditActor | null;
  audit?: Record<string, string | number | null>;
};

/** Inserts the row with the service's next number, under the service's lock (service-lock.ts). */
export async function insertDeployment(tx: Tx, n: NewDeployment) {
  if (!n.service.hostId) throw new ValidationError("Choose a host for this service first.");
  if (!(await lockService(tx, n.service.id))) throw new NotFoundError("Service not found");
  const last = await tx.deployment.findFirst({ where: { serviceId: n.service.id }, orderBy: { number: "desc" }, select: { number: true } });
  const number = (last?.number ?? 0) + 1;
  const d = await tx.deployment.create({
    data: {
      teamId: n.teamId,
      serviceId: n.service.id,
      hostId: n.service.hostId,
      number,
      trigger: n.trigger,
      ref: n.ref,
      requestedCommit: n.requestedCommit ?? null,
      imageTag: imageTag(n.service.id, number),
      image: n.image ?? n.source?.image ?? null,
      sourceId: n.source?.id ?? null,
      imageId: n.source?.imageId ?? null,
      commitSha: n.source?.commitSha ?? null,
      commitMessage: n.source?.commitMessage ?? null,
      commitAuthor: n.source?.commitAuthor ?? null,
      steps: [{ status: "QUEUED", at: new Date().toISOString() }],
      actorId: n.actor?.id ?? null,
      actorEmail: n.actor?.email ?? "webhook",
    },
    select: { id: true, number: true },
  });
  await recordAudit(tx, n.actor, {
    teamId: n.teamId,
    action: `deployment.${n.trigger === "manual" ? "create" : n.trigger}`,
    target: { type: "service", id: n.service.id, label: n.service.label },
    data: { deployment: d.id, number, ref: n.ref, ...n.audit },
  });
  return d;
}

/**
 * Tells the team's open pages, and starts what may start right here (sparing a hop through the control
 * worker); if that fails, the control worker's queue gets the nudge, and its periodic pass runs anyway.
 */
export async function nudgeScheduler(n: { teamId: string; serviceId: string; hostId: string | null }) {
  const redis = adminRedis();
  await publishLive(redis, n.teamId, { hostId: n.hostId ?? "", kind: "deployment", serviceId: n.serviceId }).catch(() => {});
  try {
    await dispatchAndTell(redis);
  } catch (e) {
    console.error("deployments: dispatching failed, leaving it to the control worker:", (e as Error).message);
    await enqueue(dispatchDeploymentsJob, {}).catch(() => {});
  }
}

/** A service of the team, either kind (rollback and promotion work alike for both). */
export async function deployableServiceOf(ctx: TeamContext, serviceId: string) {
  authorize(ctx, "project.read");
  const s = await db.service.findFirst({
    where: { id: String(serviceId), environment: { project: { teamId: ctx.team.id } } },
    select: {
      id: true,
      name: true,
      source: true,
      image: true,
      hostId: true,
      gitBranch: true,
      environmentId: true,
      environment: { select: { name: true, protected: true, project: { select: { id: true, name: true } } } },
    },
  });
  if (!s) throw new NotFoundError("Service not found");
  return { ...s, label: `${s.environment.project.name}/${s.environment.name}/${s.name}` };
}

async function gitServiceOf(ctx: TeamContext, serviceId: string) {
  const s = await deployableServiceOf(ctx, serviceId);
  if (s.source !== "git") throw new ValidationError(`${s.name} runs an image; it has no branch to build.`);
  return s;
}

/** The Deploy button: build the service's branch as it is now. */
export async function deployFromGit(ctx: TeamContext, serviceId: string) {
  const s = await gitServiceOf(ctx, serviceId);
  assertCanChange(ctx, s.environment, "service.deploy");
  const d = await retryOnConflict(() =>
    db.$transaction((tx) => insertDeployment(tx, { teamId: ctx.team.id, service: s, trigger: "manual", ref: s.gitBranch, actor: ctx.actor })),
  );
  await nudgeScheduler({ teamId: ctx.team.id, serviceId: s.id, hostId: s.hostId });
  return d;
}

async function releaseOf(ctx: TeamContext, deploymentId: string) {
  const r = await db.deployment.findFirst({
    where: { id: String(deploymentId), teamId: ctx.team.id },
    select: {
      id: true,
      number: true,
      serviceId: true,
      status: true,
      imageId: true,
      image: true,
      imagePrunedAt: true,
      hostId: true,
      ref: true,
      commitSha: true,
      commitMessage: true,
      commitAuthor: true,
      config: true,
      registryRepo: true,
      imageDigest: true,
      pushError: true,
    },
  });
  if (!r) throw new NotFoundError("Deployment not found");
  if (r.status !== "LIVE" || !r.imageId) throw new ValidationError(`#${r.number} never went live, so it is not a release.`);
  if (r.imagePrunedAt) throw new ValidationError(`#${r.number}'s image was pruned (only the newest releases keep theirs).`);
  return r;
}

/** A release that ran on another host than the target's gets there from Berth's registry, by its digest. */
function reachable(r: Parameters<typeof pullableRef>[0] & { hostId: string | null }, hostId: string | null) {
  if (r.hostId !== hostId) pullableRef(r, berthRegistry());
}

/** Puts an earlier release back live: its image and its configuration, no rebuild. */
export async function rollbackTo(ctx: TeamContext, deploymentId: string) {
  const r = await releaseOf(ctx, deploymentId);
  const s = await deployableServiceOf(ctx, r.serviceId);
  assertCanChange(ctx, s.environment, "service.deploy");
  if (!r.config) throw new ValidationError(`#${r.number} has no stored configuration to roll back to.`);
  reachable(r, s.hostId);
  const d = await retryOnConflict(() =>
    db.$transaction((tx) =>
      insertDeployment(tx, {
        teamId: ctx.team.id,
        service: s,
        trigger: "rollback",
        ref: r.ref,
        source: { ...r, imageId: r.imageId! },
        actor: ctx.actor,
        audit: { to: r.number },
      }),
    ),
  );
  await nudgeScheduler({ teamId: ctx.team.id, serviceId: s.id, hostId: s.hostId });
  return d;
}

/** Deploys the exact image of a release to the service of the same name in another environment, with that environment's configuration. */
export async function promoteRelease(ctx: TeamContext, deploymentId: string, targetEnvironmentId: string) {
  const r = await releaseOf(ctx, deploymentId);
  const from = await deployableServiceOf(ctx, r.serviceId);
  const target = await db.service.findFirst({
    where: { name: from.name, environmentId: String(targetEnvironmentId), environment: { projectId: from.environment.project.id } },
    select: { id: true },
  });
  if (!target) throw new ValidationError(`That environment has no service called ${from.name}; create it there first.`);
  const s = await deployableServiceOf(ctx, target.id);
  assertCanChange(ctx, s.environment, "service.deploy");
  if (s.source !== from.source)
    throw new ValidationError(`${s.label} ${s.source === "git" ? "is built from git" : "runs an image"}; promote between services of the same kind.`);
  if (s.id === from.id) throw new ValidationError("Choose another environment: to put this release back here, roll back to it.");
  reachable(r, s.hostId);
  const d = await retryOnConflict(() =>
    db.$transaction((tx) =>
      insertDeployment(tx, {
        teamId: ctx.team.id,
        service: s,
        trigger: "promote",
        ref: r.ref,
        source: { ...r, imageId: r.imageId! },
        actor: ctx.actor,
        audit: { from: from.label, release: r.number },
      }),
    ),
  );
  await nudgeScheduler({ teamId: ctx.team.id, serviceId: s.id, hostId: s.hostId });
  return d;
}
