// Deploying an image-based service: resolve its configuration, refuse on any reference error, seal the
// spec for the target host, and have that host's agent run it.
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { env as appEnv } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { callHost } from "@/lib/hosts/call-host";
import { sealForHost } from "@/lib/hosts/host-seal";
import { adminRedis } from "@/lib/redis/admin";
import { serviceSpec, specKey } from "@/lib/hosts/service-spec";
import { serviceDeployJob } from "@/lib/jobs/host-jobs";
import { recordAudit } from "./audit";
import type { TeamContext } from "./context";
import { assertCanChange } from "./projects";
import { deployFromGit } from "./deployments/create";
import { containerBase, containerName, serviceLabels } from "@/lib/deploy/names";
import { deployableEnv } from "./resolved-config";
import { getService } from "./services";

export async function deployServiceNow(ctx: TeamContext, serviceId: string) {
  const s = await getService(ctx, serviceId);
  const where = `${s.environment.project.name}/${s.environment.name}/${s.name}`;
  assertCanChange(ctx, s.environment);
  if (s.source === "git") throw new ValidationError(`${s.name} is built from git: deploy it from its page.`);
  if (!s.hostId) throw new ValidationError(`Choose a host for ${s.name} first.`);
  const host = await db.host.findFirst({ where: { id: s.hostId, teamId: ctx.team.id }, select: { id: true, name: true, status: true, tokenHash: true, allowPrivateNetworks: true } });
  if (!host) throw new ValidationError(`${s.name}'s host no longer exists; choose another.`);
  if (host.status !== "ONLINE") throw new ValidationError(`${host.name} is offline: its agent has not reported for a while.`);

  const config = await deployableEnv(ctx.team.id, { id: s.environment.id, projectId: s.environment.project.id }, s);
  if (config.errors.length) {
    throw new ValidationError(`${s.name}'s configuration has errors, nothing was deployed: ${config.errors.map((e) => e.message).join("; ")}`);
  }
  const spec = serviceSpec.parse({
    serviceId: s.id,
    environmentId: s.environment.id,
    containerName: containerName(s),
    network: containerBase(s),
    image: s.image,
    command: s.command,
    ports: s.ports,
    volumes: s.volumes,
    restartPolicy: s.restartPolicy,
    env: config.env,
    labels: serviceLabels(s),
    allowPrivateNetworks: host.allowPrivateNetworks,
  });
  const nonce = randomUUID();
  const key = specKey(appEnv.queuePrefix, host.id, nonce);
  await adminRedis().set(key, sealForHost(host.tokenHash, key, spec), "EX", 300);
  const result = await callHost<typeof serviceDeployJob.schema, { containerId: string }>(host.id, serviceDeployJob, { serviceId: s.id, nonce }, 120_000);
  await db.$transaction(async (tx) => {
    await tx.service.update({ where: { id: s.id }, data: { deployedConfig: config.fingerprints, deployedAt: new Date() } });
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "service.deploy", target: { type: "service", id: s.id, label: where }, data: { host: host.name, image: s.image, keys: Object.keys(config.env) } });
  });
  return result;
}

/** "Redeploy" for any service: an image service is replaced now; a git service gets a new deployment. */
export async function redeployService(ctx: TeamContext, serviceId: string) {
  const s = await getService(ctx, serviceId);
  if (s.source === "git") await deployFromGit(ctx, s.id);
  else await deployServiceNow(ctx, s.id);
}
