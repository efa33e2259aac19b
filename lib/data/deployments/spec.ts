// The instructions a host's agent gets for one deployment, built when it is dispatched: the service's
// stored settings (git: repository and credential; image: the reference to pull and how its container
// runs), and the configuration — resolved now for a new deployment or a promotion, the release's own for a
// rollback (an image service's container settings with it). Sealed for that host under its own Redis keys.
import { masterKeysFromEnv, open, seal } from "@/lib/crypto/secret-box";
import { db } from "@/lib/db";
import { env as appEnv } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { deploymentSpec, deploymentSpecKey, type DeploymentSpec } from "@/lib/hosts/deployment-spec";
import { sealForHost } from "@/lib/hosts/host-seal";
import { adminRedis } from "@/lib/redis/admin";
import { checkedPort, deployStrategy } from "@/lib/deploy/image-rules";
import { openGitCredential } from "../git-services";
import { deployableEnv } from "../resolved-config";
import { containerBase, containerName, imageTag, releaseRepository, routeId, serviceHostnames, serviceLabels } from "@/lib/deploy/names";
import { type BerthRegistry, berthRegistry, pullableRef, releaseRef } from "./registry";

export const configAad = (deploymentId: string) => `deployment:${deploymentId}:config`;
const SPEC_TTL_SECONDS = 600;

/** An image service's container settings, kept with the configuration so a rollback runs the release as it ran. */
type Run = NonNullable<DeploymentSpec["run"]>;
type Config = { env: Record<string, string>; secrets: string[]; run?: Run };
type ServiceRow = {
  id: string;
  name: string;
  source: string;
  command: unknown;
  ports: unknown;
  volumes: unknown;
  restartPolicy: string;
  environment: { id: string; projectId: string };
};

function runOf(s: ServiceRow): Run | undefined {
  if (s.source !== "image") return undefined;
  return { environmentId: s.environment.id, command: s.command, ports: s.ports, volumes: s.volumes, restartPolicy: s.restartPolicy } as Run;
}

async function configFor(d: { id: string; teamId: string; trigger: string; sourceId: string | null }, service: ServiceRow): Promise<Config> {
  if (d.trigger === "rollback" && d.sourceId) {
    const source = await db.deployment.findUniqueOrThrow({ where: { id: d.sourceId }, select: { config: true } });
    if (!source.config) throw new ValidationError("The release has no stored configuration to roll back to.");
    const release = JSON.parse(open(source.config, configAad(d.sourceId), masterKeysFromEnv())) as Config;
    return { ...release, run: release.run ?? runOf(service) };
  }
  const c = await deployableEnv(d.teamId, service.environment, service);
  if (c.errors.length) throw new ValidationError(`The configuration has errors, nothing was deployed: ${c.errors.map((e) => e.message).join("; ")}`);
  return { env: c.env, secrets: c.secrets, run: runOf(service) };
}

/** The release's own configuration, as it was recorded when it was dispatched. */
function storedConfig(d: { id: string; config: string | null }): Config {
  if (!d.config) throw new ValidationError("The release has no stored configuration.");
  return JSON.parse(open(d.config, configAad(d.id), masterKeysFromEnv())) as Config;
}

/**
 * Where a release's image comes from when this deployment runs it again: the release it copies (a rollback or
 * promotion; a restore runs its own). Another host's release is pulled by digest from Berth's registry; this
 * host's copy is used as it is, and pulled only if the host lost it.
 */
async function releasePull(
  d: { sourceId: string | null; hostId: string | null; number: number; registryRepo: string | null; imageDigest: string | null; pushError: string | null },
  asRelease: boolean,
  registry: BerthRegistry | null,
) {
  const origin =
    !asRelease && d.sourceId
      ? await db.deployment.findUnique({
          where: { id: d.sourceId },
          select: { hostId: true, number: true, registryRepo: true, imageDigest: true, pushError: true },
        })
      : d;
  if (!origin) return null; // its service was deleted since: only a copy on this host can serve
  if (origin.hostId !== d.hostId) return { ref: pullableRef(origin, registry), always: true };
  const ref = releaseRef(origin, registry);
  return ref ? { ref, always: false } : null;
}

/** The deployment's spec. `asRelease`: a live release run again from its own image and configuration (its
 * container was lost, lib/data/desired-state.ts); otherwise a deployment about to start. */
async function buildSpec(deploymentId: string, asRelease: boolean) {
  const d = await db.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    select: {
      id: true,
      teamId: true,
      number: true,
      trigger: true,
      sourceId: true,
      imageId: true,
      image: true,
      ref: true,
      requestedCommit: true,
      config: true,
      hostId: true,
      registryRepo: true,
      imageDigest: true,
      pushError: true,
      host: { select: { id: true, tokenHash: true, baseDomain: true, allowPrivateNetworks: true } },
      service: {
        select: {
          id: true,
          name: true,
          source: true,
          command: true,
          ports: true,
          volumes: true,
          restartPolicy: true,
          gitUrl: true,
          gitHostKeys: true,
          gitSubdir: true,
          dockerfile: true,
          httpPort: true,
          healthPath: true,
          healthTimeoutSec: true,
          domains: true,
          environment: { select: { id: true, slug: true, projectId: true, project: { select: { slug: true } } } },
        },
      },
    },
  });
  const s = d.service;
  if (!d.host) throw new ValidationError("The service's host was removed.");
  const fromImage = s.source === "image";
  if (!fromImage && !s.httpPort) throw new ValidationError("The service has no port set.");
  if (fromImage && !d.imageId && !d.image) throw new ValidationError("The deployment names no image to pull.");
  if (asRelease && !d.imageId) throw new ValidationError("The release has no image.");
  const config = asRelease ? storedConfig(d) : await configFor(d, s);
  const credential = d.imageId || fromImage ? { kind: "none" as const } : await openGitCredential(db, s.id);
  const run = config.run ?? null;
  const strategy = run ? deployStrategy(run) : { strategy: "switch" as const, reason: null };
  const registry = berthRegistry();
  const spec: DeploymentSpec = deploymentSpec.parse({
    deploymentId: d.id,
    serviceId: s.id,
    source: d.imageId
      ? { kind: "image", imageId: d.imageId, pull: await releasePull(d, asRelease, registry) }
      : fromImage
        ? { kind: "pull", image: d.image }
        : {
            kind: "git",
            url: s.gitUrl,
            ref: d.ref,
            commit: d.requestedCommit,
            subdirectory: s.gitSubdir,
            dockerfile: s.dockerfile,
            auth: credential,
            hostKeys: s.gitHostKeys,
          },
    imageTag: imageTag(s.id, d.number),
    containerName: containerName(s),
    network: containerBase(s),
    env: config.env,
    labels: { ...serviceLabels(s), "berth.host.id": d.host.id },
    port: checkedPort(s.httpPort, run?.ports ?? []),
    health: { path: s.httpPort ? s.healthPath : null, timeoutSec: s.healthTimeoutSec },
    route: s.httpPort ? { id: routeId(s.id), hosts: serviceHostnames(s, d.host.baseDomain, s.domains as string[]) } : null,
    run,
    strategy: strategy.strategy,
    strategyReason: strategy.reason,
    registry: registry && { ...registry, repository: releaseRepository(d.teamId, d.host.id, s.id) },
    mask: [...config.secrets, ...(credential.kind === "token" ? [credential.token] : [])].filter((v) => v.length >= 4),
    allowPrivateNetworks: d.host.allowPrivateNetworks,
  });
  return { spec, config, host: d.host };
}

/** The spec a live release runs by again: its image, its configuration, the service's current route. */
export async function releaseSpec(deploymentId: string): Promise<DeploymentSpec> {
  return (await buildSpec(deploymentId, true)).spec;
}

/** Builds, seals and stores the spec; also records the configuration on the deployment. */
export async function prepareSpec(deploymentId: string): Promise<void> {
  const { spec, config, host } = await buildSpec(deploymentId, false);
  await db.deployment.update({
    where: { id: deploymentId },
    data: { config: seal(JSON.stringify(config), configAad(deploymentId), masterKeysFromEnv()), configKeys: Object.keys(config.env).sort() },
  });
  const key = deploymentSpecKey(appEnv.queuePrefix, host.id, deploymentId);
  await adminRedis().set(key, sealForHost(host.tokenHash, key, spec), "EX", SPEC_TTL_SECONDS);
}
