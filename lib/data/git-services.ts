// Services built from a git repository: where the source is, how to reach it (deploy key or token, both
// sealed), the port behind the host's proxy with its hostnames (unique per host: ./host-routes.ts), the health
// check and the webhook secret.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { masterKeysFromEnv, open, seal } from "@/lib/crypto/secret-box";
import { db, type Tx } from "@/lib/db";
import { env as appEnv } from "@/lib/env";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { generateDeployKey, publicKeyFingerprint } from "@/lib/git/deploy-key";
import { hostKeyFingerprints } from "@/lib/git/known-hosts";
import { assertRepoUrlAllowed } from "@/lib/net/field-checks";
import { validateDockerfilePath, validateRef, validateRepoUrl, validateSubdirectory } from "@/lib/git/validate";
import { parseInput } from "@/lib/validation/parse";
import { blankToUndefined, proxySettings } from "@/lib/validation/proxy-settings";
import { recordAudit } from "./audit";
import type { TeamContext } from "./context";
import { hostKeyColumnsAfterUrlChange } from "./git-host-keys";
import { assertHostnamesFree } from "./host-routes";
import { assertCanChange, getEnvironment } from "./projects";
import { serviceHostnames, serviceUrls } from "@/lib/deploy/names";
import { assertHostOfTeam, getService, moveServiceHost } from "./services";
import { isUniqueViolation } from "./unique-violation";

const checked = <T>(fn: (s: string) => ({ ok: true } & T) | { ok: false; error: string }, pick: (r: T) => string) =>
  z
    .string()
    .trim()
    .transform((s, c) => {
      const r = fn(s);
      if (!r.ok) {
        c.addIssue({ code: "custom", message: r.error });
        return z.NEVER;
      }
      return pick(r as T);
    });

export const gitServiceInput = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "Use lowercase letters, digits and dashes."),
  gitUrl: checked(
    (s) => validateRepoUrl(s, { allowLocal: appEnv.allowLocalGit }),
    (r: { url: string }) => r.url,
  ),
  gitBranch: checked(validateRef, (r: { ref: string }) => r.ref),
  gitSubdir: z.preprocess(
    (v) => v ?? "",
    checked(validateSubdirectory, (r: { path: string }) => r.path),
  ),
  dockerfile: z.preprocess(
    (v) => blankToUndefined(v) ?? "Dockerfile",
    checked(validateDockerfilePath, (r: { path: string }) => r.path),
  ),
  httpPort: proxySettings.httpPort,
  healthPath: proxySettings.healthPath,
  healthTimeoutSec: proxySettings.healthTimeoutSec,
  domains: proxySettings.domains,
  gitAuth: z.enum(["none", "ssh", "token"]).default("none"),
  token: z.preprocess(
    blankToUndefined,
    z
      .string()
      .max(4096)
      .regex(/^[\x21-\x7e]+$/, "A token has no spaces or control characters.")
      .optional(),
  ),
  hostId: z.preprocess(blankToUndefined, z.string().trim().max(64).optional()),
  keepReleases: proxySettings.keepReleases,
});
type GitServiceData = Omit<z.output<typeof gitServiceInput>, "name">;

/** Where the git host posts pushes for this service (signed with its webhook secret). */
export const webhookUrl = (serviceId: string) => `${appEnv.appUrl}/api/hooks/services/${serviceId}`;

export const credentialAad = (serviceId: string) => `service:${serviceId}:git-credential`;
export const webhookSecretAad = (serviceId: string) => `service:${serviceId}:webhook-secret`;

/** The credential columns for the chosen auth; a token is write-only, kept when the field is left empty. */
function credentialColumns(
  serviceId: string,
  data: GitServiceData,
  current: { gitAuth: string; gitCredential: string | null; gitPublicKey: string | null } | null,
  label: string,
) {
  const keys = masterKeysFromEnv();
  switch (data.gitAuth) {
    case "none":
      return { gitAuth: "none", gitCredential: null, gitPublicKey: null };
    case "ssh": {
      if (current?.gitAuth === "ssh" && current.gitCredential) return {};
      const key = generateDeployKey(`berth ${label}`.slice(0, 100));
      return { gitAuth: "ssh", gitPublicKey: key.publicKey, gitCredential: seal(key.privateKey, credentialAad(serviceId), keys) };
    }
    case "token": {
      if (data.token) return { gitAuth: "token", gitPublicKey: null, gitCredential: seal(data.token, credentialAad(serviceId), keys) };
      if (current?.gitAuth === "token" && current.gitCredential) return {};
      throw new ValidationError("Paste the access token.", { token: ["Required for token access."] });
    }
    default: {
      const never: never = data.gitAuth;
      throw new Error(`unknown auth ${String(never)}`);
    }
  }
}

function settings(data: GitServiceData) {
  return {
    gitUrl: data.gitUrl,
    gitBranch: data.gitBranch,
    gitSubdir: data.gitSubdir,
    dockerfile: data.dockerfile,
    httpPort: data.httpPort,
    healthPath: data.healthPath ?? null,
    healthTimeoutSec: data.healthTimeoutSec,
    domains: data.domains,
    keepReleases: data.keepReleases,
    hostId: data.hostId ?? null,
  };
}

export async function createGitService(ctx: TeamContext, projectSlug: string, envSlug: string, input: unknown) {
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug);
  assertCanChange(ctx, env);
  const data = parseInput(gitServiceInput, input);
  await assertRepoUrlAllowed(data.gitUrl, await assertHostOfTeam(ctx, data.hostId));
  const label = `${project.name}/${env.name}/${data.name}`;
  try {
    return await db.$transaction(async (tx) => {
      if (data.hostId) {
        const place = { name: data.name, environment: { slug: env.slug, project: { slug: project.slug } } };
        await assertHostnamesFree(tx, { hostId: data.hostId, teamId: ctx.team.id, serviceId: null, place, domains: data.domains, generatedField: "name" });
      }
      const s = await tx.service.create({
        data: { environmentId: env.id, name: data.name, source: "git", image: "", command: [], ports: [], volumes: [], ...settings(data) },
        select: { id: true, name: true },
      });
      const secret = randomBytes(24).toString("hex");
      await tx.service.update({
        where: { id: s.id },
        data: { ...credentialColumns(s.id, data, null, label), webhookSecret: seal(secret, webhookSecretAad(s.id), masterKeysFromEnv()) },
      });
      await recordAudit(tx, ctx.actor, {
        teamId: ctx.team.id,
        action: "service.create",
        target: { type: "service", id: s.id, label },
        data: { source: "git", url: data.gitUrl, branch: data.gitBranch, auth: data.gitAuth },
      });
      return s;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`${env.name} already has a service called ${data.name}.`, { name: ["Already exists."] });
    throw e;
  }
}

async function getGitService(ctx: TeamContext, serviceId: string) {
  const s = await getService(ctx, serviceId);
  const row = await db.service.findUniqueOrThrow({
    where: { id: s.id },
    select: { source: true, gitUrl: true, gitAuth: true, gitCredential: true, gitPublicKey: true, webhookSecret: true },
  });
  if (row.source !== "git") throw new ValidationError(`${s.name} runs an image; it is not built from git.`);
  return { ...s, ...row, label: `${s.environment.project.name}/${s.environment.name}/${s.name}` };
}

export async function updateGitService(ctx: TeamContext, serviceId: string, input: unknown) {
  const s = await getGitService(ctx, serviceId);
  assertCanChange(ctx, s.environment);
  const data = parseInput(gitServiceInput.omit({ name: true }), input);
  await assertRepoUrlAllowed(data.gitUrl, await assertHostOfTeam(ctx, data.hostId));
  await db.$transaction(async (tx) => {
    if (data.hostId)
      await assertHostnamesFree(tx, { hostId: data.hostId, teamId: ctx.team.id, serviceId: s.id, place: s, domains: data.domains, generatedField: "hostId" });
    await moveServiceHost(tx, ctx, s, data.hostId ?? null);
    await tx.service.update({
      where: { id: s.id },
      data: { ...settings(data), ...credentialColumns(s.id, data, s, s.label), ...hostKeyColumnsAfterUrlChange(s.gitUrl, data.gitUrl) },
    });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "service.update",
      target: { type: "service", id: s.id, label: s.label },
      data: { url: data.gitUrl, branch: data.gitBranch, auth: data.gitAuth, tokenReplaced: Boolean(data.token) },
    });
  });
}

/** A new deploy key: the old public key stops working once removed from the git host. */
export async function regenerateDeployKey(ctx: TeamContext, serviceId: string) {
  const s = await getGitService(ctx, serviceId);
  assertCanChange(ctx, s.environment);
  const key = generateDeployKey(`berth ${s.label}`.slice(0, 100));
  await db.$transaction(async (tx) => {
    await tx.service.update({
      where: { id: s.id },
      data: { gitAuth: "ssh", gitPublicKey: key.publicKey, gitCredential: seal(key.privateKey, credentialAad(s.id), masterKeysFromEnv()) },
    });
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "service.deploy-key.regenerate", target: { type: "service", id: s.id, label: s.label } });
  });
  return { publicKey: key.publicKey };
}

/** The webhook secret, to paste into the git host's settings. Audited: it lets anyone trigger deploys. */
export async function revealWebhookSecret(ctx: TeamContext, serviceId: string) {
  const s = await getGitService(ctx, serviceId);
  assertCanChange(ctx, s.environment, "service.webhook-secret");
  const secret = open(s.webhookSecret ?? "", webhookSecretAad(s.id), masterKeysFromEnv());
  await db.$transaction((tx) =>
    recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "service.webhook-secret.reveal", target: { type: "service", id: s.id, label: s.label } }),
  );
  return secret;
}

export async function rotateWebhookSecret(ctx: TeamContext, serviceId: string) {
  const s = await getGitService(ctx, serviceId);
  assertCanChange(ctx, s.environment);
  const secret = randomBytes(24).toString("hex");
  await db.$transaction(async (tx) => {
    await tx.service.update({ where: { id: s.id }, data: { webhookSecret: seal(secret, webhookSecretAad(s.id), masterKeysFromEnv()) } });
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "service.webhook-secret.rotate", target: { type: "service", id: s.id, label: s.label } });
  });
  return secret;
}

/** Deploy path only: the git credential in clear, for the spec sealed to the host. */
export async function openGitCredential(tx: Tx | typeof db, serviceId: string) {
  const row = await tx.service.findUniqueOrThrow({ where: { id: serviceId }, select: { gitAuth: true, gitCredential: true } });
  if (row.gitAuth === "none" || !row.gitCredential) return { kind: "none" as const };
  const value = open(row.gitCredential, credentialAad(serviceId), masterKeysFromEnv());
  return row.gitAuth === "ssh" ? { kind: "ssh" as const, privateKey: value } : { kind: "token" as const, token: value };
}

/** A git service as its page shows it: settings (never the credential), URLs, webhook address, deploy key. */
export async function gitServiceView(ctx: TeamContext, projectSlug: string, envSlug: string, name: string) {
  const { project, env } = await getEnvironment(ctx, projectSlug, envSlug);
  const s = await db.service.findFirst({
    where: { environmentId: env.id, name: String(name), source: "git" },
    select: {
      id: true,
      name: true,
      gitUrl: true,
      gitBranch: true,
      gitSubdir: true,
      dockerfile: true,
      httpPort: true,
      healthPath: true,
      healthTimeoutSec: true,
      domains: true,
      gitAuth: true,
      gitPublicKey: true,
      gitHostKeys: true,
      gitHostKeyOffer: true,
      keepReleases: true,
      hostId: true,
      liveDeploymentId: true,
      servingProblem: true,
      servingCheckedAt: true,
      host: { select: { id: true, name: true, status: true, baseDomain: true } },
    },
  });
  if (!s) throw new NotFoundError("Service not found");
  const place = { id: s.id, name: s.name, environment: { slug: env.slug, project: { slug: project.slug } } };
  const hostnames = s.host ? serviceHostnames(place, s.host.baseDomain, s.domains as string[]) : [];
  return {
    ...s,
    domains: s.domains as string[],
    project,
    env,
    urls: serviceUrls(hostnames, appEnv.proxyHttpPort),
    webhookUrl: webhookUrl(s.id),
    deployKeyFingerprint: s.gitPublicKey ? publicKeyFingerprint(s.gitPublicKey) : null,
    /** The git server's pinned SSH host keys and a replacement it offers, as fingerprints (`ssh-keygen -l`). */
    hostKeys: hostKeyFingerprints(s.gitHostKeys),
    hostKeyOffer: hostKeyFingerprints(s.gitHostKeyOffer),
  };
}
