// An image service's deployment: the same model as a git one (queued with its audit row, dispatched by the
// scheduler, run by the host's agent, ending as a release), with a pull instead of a clone and build.
// Rollback and promotion are create.ts's, for both kinds.
import { db } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import type { TeamContext } from "../context";
import { assertCanChange } from "../projects";
import { deployableEnv } from "../resolved-config";
import { deployableServiceOf, deployFromGit, insertDeployment, nudgeScheduler } from "./create";

/** The Deploy / Redeploy button of an image service: its image and configuration as they are now. */
export async function deployImage(ctx: TeamContext, serviceId: string) {
  const s = await deployableServiceOf(ctx, serviceId);
  if (s.source !== "image") throw new ValidationError(`${s.name} is built from git: deploy its branch.`);
  assertCanChange(ctx, s.environment, "service.deploy");
  // Refused here, beside the button, rather than as a failed deployment once dispatched (which checks again).
  const config = await deployableEnv(ctx.team.id, { id: s.environmentId, projectId: s.environment.project.id }, s);
  if (config.errors.length) {
    throw new ValidationError(`${s.name}'s configuration has errors, nothing was deployed: ${config.errors.map((e) => e.message).join("; ")}`);
  }
  const d = await db.$transaction((tx) =>
    insertDeployment(tx, { teamId: ctx.team.id, service: s, trigger: "manual", ref: null, image: s.image, actor: ctx.actor, audit: { image: s.image } }),
  );
  await nudgeScheduler({ teamId: ctx.team.id, serviceId: s.id, hostId: s.hostId });
  return d;
}

/** "Redeploy" for either kind (a staged configuration change): a new deployment of what is set now. */
export async function deployService(ctx: TeamContext, serviceId: string) {
  const s = await deployableServiceOf(ctx, serviceId);
  return s.source === "git" ? deployFromGit(ctx, s.id) : deployImage(ctx, s.id);
}
