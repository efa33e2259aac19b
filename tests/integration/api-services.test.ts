// Services, git service settings and variables through the chain (lib/api/invoke.ts), as the console's forms
// and the CLI call them: a session, and real API tokens with scopes and project/environment limits.
import { describe, expect, it } from "vitest";
import { invoke } from "@/lib/api/invoke";
import type { Operation } from "@/lib/api/operation";
import {
  acceptGitHostKeyOp,
  createGitServiceOp,
  createImageServiceOp,
  deleteServiceOp,
  deployServicesOp,
  regenerateDeployKeyOp,
  revealWebhookSecretOp,
  rotateWebhookSecretOp,
  testGitConnectionOp,
  updateGitServiceOp,
  updateImageServiceOp,
} from "@/lib/api/operations/services";
import { variableOpsByScope } from "@/lib/api/operations/variables";
import type { Principal } from "@/lib/api/principal";
import { createApiToken } from "@/lib/data/api-tokens";
import type { TeamContext } from "@/lib/data/context";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { openVariables } from "@/lib/data/variables";
import { db } from "@/lib/db";
import { addMember, makeTeam, uniq } from "./support/factory";

const META = { ip: "127.0.0.1" };
const { TEAM, PROJECT, ENVIRONMENT, SERVICE } = variableOpsByScope;
const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test" });

function call(op: Operation, who: Principal, team: string, input: Record<string, unknown> = {}) {
  return invoke(op, who, { team, input: () => input }, META);
}

async function token(member: TeamContext, scopes: string[], limit: { projectId?: string; environmentId?: string } = {}): Promise<Principal> {
  const t = await createApiToken(member, { name: uniq("tok"), scopes, ...limit });
  return { kind: "token", token: t.token };
}

/** A team with a project, an image service in staging and one in production (no host: nothing deploys). */
async function setup() {
  const owner = await makeTeam();
  const project = await createProject(owner, { name: "Shop" });
  const staging = (await getEnvironment(owner, project.slug, "staging")).env;
  const production = (await getEnvironment(owner, project.slug, "production")).env;
  const me = session(owner);
  const slug = owner.team.slug;
  const api = (await call(createImageServiceOp, me, slug, { project: project.slug, env: "staging", name: "api", image: "nginx:1.27", ports: "8080:80" })) as {
    id: string;
  };
  const prod = (await call(createImageServiceOp, me, slug, { project: project.slug, env: "production", name: "api", image: "nginx:1.27" })) as { id: string };
  const inStaging = { project: project.slug, env: "staging" };
  const inProduction = { project: project.slug, env: "production" };
  return { owner, me, slug, project, staging, production, api, prod, inStaging, inProduction };
}

describe("services through the chain", () => {
  it("adds, changes and deletes an image service, answering only its settings", async () => {
    const { me, slug, api, inStaging } = await setup();
    const updated = (await call(updateImageServiceOp, me, slug, {
      serviceId: api.id,
      image: "nginx:1.28",
      ports: [{ container: 80, host: 8081 }],
      volumes: ["data:/var/lib/data"],
      command: ["nginx", "-g", "daemon off;"],
    })) as Record<string, unknown>;
    expect(updated).toMatchObject({
      id: api.id,
      name: "api",
      image: "nginx:1.28",
      ports: [{ container: 80, host: 8081, protocol: "tcp" }],
      volumes: [{ source: "data", target: "/var/lib/data", readOnly: false }],
      command: ["nginx", "-g", "daemon off;"],
      restartPolicy: "unless-stopped",
    });
    expect(Object.keys(updated)).not.toContain("deployedConfig");
    await expect(call(createImageServiceOp, me, slug, { ...inStaging, name: "api", image: "nginx:1.27" })).rejects.toMatchObject({ status: 409 });
    await expect(call(createImageServiceOp, me, slug, { ...inStaging, name: "web", image: "nginx:1.27", ports: "80:http" })).rejects.toMatchObject({
      status: 400,
      message: '"80:http" is not a port: use CONTAINER, or HOST:CONTAINER, with /tcp or /udp.',
    });
    expect(await call(deleteServiceOp, me, slug, { serviceId: api.id })).toEqual({ hosts: [] });
    await expect(call(deleteServiceOp, me, slug, { serviceId: api.id })).rejects.toMatchObject({ status: 404 });
  });

  it("holds tokens to their scope and their environment", async () => {
    const { owner, slug, api, prod, staging, inStaging, inProduction } = await setup();
    const read = await token(owner, ["read"]);
    await expect(call(updateImageServiceOp, read, slug, { serviceId: api.id, image: "nginx:1.28" })).rejects.toMatchObject({
      status: 403,
      message: 'This API token lacks the "write" scope.',
    });
    const stagingOnly = await token(owner, ["write"], { environmentId: staging.id });
    expect(await call(updateImageServiceOp, stagingOnly, slug, { serviceId: api.id, image: "nginx:1.28" })).toMatchObject({ image: "nginx:1.28" });
    await expect(call(updateImageServiceOp, stagingOnly, slug, { serviceId: prod.id, image: "nginx:1.28" })).rejects.toMatchObject({ status: 403 });
    await expect(call(createImageServiceOp, stagingOnly, slug, { ...inProduction, name: "x", image: "nginx:1.27" })).rejects.toMatchObject({ status: 403 });
    // Deploying several: every service must be the environment's, and inside the token's limit.
    await expect(call(deployServicesOp, stagingOnly, slug, { ...inStaging, serviceIds: prod.id })).rejects.toMatchObject({ status: 403 });
    await expect(call(deployServicesOp, session(owner), slug, { ...inStaging, serviceIds: `${api.id},${prod.id}` })).rejects.toMatchObject({
      status: 404,
      message: `Service ${prod.id} is not one of staging's.`,
    });
    await expect(call(deployServicesOp, session(owner), slug, { ...inStaging, serviceIds: "" })).rejects.toMatchObject({
      status: 400,
      message: "List the services to deploy.",
    });
  });

  it("answers another team's service as not found", async () => {
    const { api, project, slug } = await setup();
    const other = await makeTeam();
    const them = session(other);
    const theirs = other.team.slug;
    for (const [op, input] of [
      [updateImageServiceOp, { serviceId: api.id, image: "nginx:1.28" }],
      [deleteServiceOp, { serviceId: api.id }],
      [revealWebhookSecretOp, { serviceId: api.id }],
      [SERVICE.list, { serviceId: api.id }],
      [SERVICE.set, { serviceId: api.id, key: "A", value: "1" }],
      [ENVIRONMENT.list, { project: project.slug, env: "staging" }],
    ] as const) {
      await expect(call(op, them, theirs, input), op.id).rejects.toMatchObject({ status: 404 });
    }
    // Their token names our team: not found either.
    await expect(call(SERVICE.list, await token(other, ["admin"]), slug, { serviceId: api.id })).rejects.toMatchObject({ status: 404 });
  });
});

describe("git service settings through the chain", () => {
  it("creates a git service and reveals, rotates and regenerates its credentials", async () => {
    const { owner, me, slug, inStaging } = await setup();
    const git = (await call(createGitServiceOp, me, slug, {
      ...inStaging,
      name: "web",
      gitUrl: "file:///srv/none.git",
      gitBranch: "main",
      httpPort: 3000,
      gitAuth: "ssh",
    })) as Record<string, unknown> & { id: string; gitPublicKey: string; webhookUrl: string };
    expect(git).toMatchObject({ name: "web", gitAuth: "ssh", dockerfile: "Dockerfile", hostKeys: [] });
    expect(git.gitPublicKey).toMatch(/^ssh-ed25519 /);
    expect(JSON.stringify(git)).not.toMatch(/PRIVATE KEY|gitCredential|webhookSecret"/);

    const shown = (await call(revealWebhookSecretOp, me, slug, { serviceId: git.id })) as { url: string; secret: string };
    expect(shown.url).toBe(git.webhookUrl);
    expect(shown.secret).toMatch(/^[0-9a-f]{48}$/);
    const rotated = (await call(rotateWebhookSecretOp, me, slug, { serviceId: git.id })) as { secret: string };
    expect(rotated.secret).not.toBe(shown.secret);
    expect(((await call(revealWebhookSecretOp, me, slug, { serviceId: git.id })) as { secret: string }).secret).toBe(rotated.secret);

    const key = (await call(regenerateDeployKeyOp, me, slug, { serviceId: git.id })) as { publicKey: string; fingerprint: string };
    expect(key.publicKey).not.toBe(git.gitPublicKey);
    expect(key.fingerprint).toMatch(/^SHA256:/);

    const updated = (await call(updateGitServiceOp, me, slug, {
      serviceId: git.id,
      gitUrl: "file:///srv/none.git",
      gitBranch: "release",
      httpPort: "3000",
      gitAuth: "ssh",
    })) as Record<string, unknown>;
    expect(updated).toMatchObject({ gitBranch: "release", gitPublicKey: key.publicKey });

    // No host chosen, no offer waiting: each refused with its reason.
    await expect(call(testGitConnectionOp, me, slug, { serviceId: git.id })).rejects.toMatchObject({
      status: 400,
      message: "Choose a host for this service first: the test runs there.",
    });
    await expect(call(acceptGitHostKeyOp, me, slug, { serviceId: git.id, offer: "SHA256:x" })).rejects.toMatchObject({
      status: 400,
      message: "No other host key is waiting to be accepted.",
    });
    const developer = await addMember(owner, "DEVELOPER");
    await expect(call(acceptGitHostKeyOp, session(developer), slug, { serviceId: git.id, offer: "SHA256:x" })).rejects.toMatchObject({ status: 403 });
    // The secret is a credential: a read token does not get it.
    await expect(call(revealWebhookSecretOp, await token(owner, ["read"]), slug, { serviceId: git.id })).rejects.toMatchObject({ status: 403 });
    await expect(call(revealWebhookSecretOp, await token(owner, ["write"]), slug, { serviceId: git.id })).rejects.toMatchObject({ status: 403 });
    // read:secrets is the scope for it (the token's call is audited like the others, so counted below).
    expect(((await call(revealWebhookSecretOp, await token(owner, ["read:secrets"]), slug, { serviceId: git.id })) as { secret: string }).secret).toBe(
      rotated.secret,
    );
    // The audit log names each reveal and rotation.
    const audited = await db.auditEvent.findMany({
      where: { teamId: owner.team.id, action: { startsWith: "service.webhook-secret" } },
      select: { action: true },
    });
    expect(audited.map((a) => a.action).sort()).toEqual([
      "service.webhook-secret.reveal",
      "service.webhook-secret.reveal",
      "service.webhook-secret.reveal",
      "service.webhook-secret.rotate",
    ]);
  });
});

describe("variables through the chain", () => {
  it("lets a write token set a variable and refuses a deploy token", async () => {
    const { owner, slug, inStaging, staging } = await setup();
    const write = await token(owner, ["write"]);
    expect(await call(ENVIRONMENT.set, write, slug, { ...inStaging, key: "LOG_LEVEL", value: "debug" })).toMatchObject({ key: "LOG_LEVEL", secret: false });
    const deploy = await token(owner, ["deploy"]);
    await expect(call(ENVIRONMENT.set, deploy, slug, { ...inStaging, key: "LOG_LEVEL", value: "info" })).rejects.toMatchObject({
      status: 403,
      message: 'This API token lacks the "write" scope.',
    });
    const values = await openVariables(owner.team.id, [`environment:${staging.id}`]);
    expect(values.map((v) => [v.key, v.value])).toEqual([["LOG_LEVEL", "debug"]]);
    // The change is audited under the token's name.
    const audit = await db.auditEvent.findFirstOrThrow({ where: { teamId: owner.team.id, action: "variable.set" }, select: { tokenName: true } });
    expect(audit.tokenName).toMatch(/^tok-/);
  });

  it("shows a read token every variable but never a secret's value", async () => {
    const { owner, me, slug, project, api, inStaging } = await setup();
    const SECRET = `s3cret-${uniq()}`;
    await call(ENVIRONMENT.set, me, slug, { ...inStaging, key: "API_TOKEN", value: SECRET, secret: true });
    await call(ENVIRONMENT.set, me, slug, { ...inStaging, key: "API_TOKEN", value: `${SECRET}-2`, secret: "on" });
    await call(PROJECT.set, me, slug, { project: project.slug, key: "SHARED", value: SECRET, secret: "true" });
    await call(SERVICE.set, me, slug, { serviceId: api.id, key: "OWN", value: SECRET, secret: true });
    await call(TEAM.set, me, slug, { key: "TEAM_KEY", value: SECRET, secret: true });
    const read = await token(owner, ["read"]);
    const answers = [
      await call(ENVIRONMENT.list, read, slug, inStaging),
      await call(ENVIRONMENT.history, read, slug, { ...inStaging, key: "API_TOKEN" }),
      await call(PROJECT.list, read, slug, { project: project.slug }),
      await call(SERVICE.list, read, slug, { serviceId: api.id }),
      await call(TEAM.list, read, slug),
    ];
    expect(answers[0]).toEqual({ variables: [{ key: "API_TOKEN", secret: true, value: null, updatedAt: expect.any(String) }] });
    expect((answers[1] as { versions: unknown[] }).versions).toHaveLength(2);
    expect(JSON.stringify(answers)).not.toContain(SECRET);
    // The answers to writes carry no value either.
    expect(JSON.stringify(await call(SERVICE.set, me, slug, { serviceId: api.id, key: "OWN", value: SECRET, secret: true }))).not.toContain(SECRET);
    // Nor may a read token write.
    await expect(call(TEAM.set, read, slug, { key: "X", value: "1" })).rejects.toMatchObject({ status: 403 });
  });

  it("holds an environment-limited token to its environment's variables", async () => {
    const { owner, slug, project, api, prod, staging, inStaging, inProduction } = await setup();
    const stagingOnly = await token(owner, ["admin"], { environmentId: staging.id });
    await call(ENVIRONMENT.set, stagingOnly, slug, { ...inStaging, key: "A", value: "1" });
    await call(SERVICE.set, stagingOnly, slug, { serviceId: api.id, key: "A", value: "1" });
    expect(await call(ENVIRONMENT.list, stagingOnly, slug, inStaging)).toMatchObject({ variables: [{ key: "A", value: "1" }] });
    for (const [op, input] of [
      [ENVIRONMENT.set, { ...inProduction, key: "A", value: "1" }],
      [ENVIRONMENT.list, inProduction],
      [ENVIRONMENT.remove, { ...inProduction, key: "A" }],
      [SERVICE.set, { serviceId: prod.id, key: "A", value: "1" }],
      [PROJECT.set, { project: project.slug, key: "A", value: "1" }],
      [TEAM.list, {}],
      [TEAM.set, { key: "A", value: "1" }],
    ] as const) {
      await expect(call(op, stagingOnly, slug, input), op.id).rejects.toMatchObject({ status: 403 });
    }
  });

  it("deletes and restores, and keeps team-wide variables to admins", async () => {
    const { owner, me, slug, inStaging } = await setup();
    await call(ENVIRONMENT.set, me, slug, { ...inStaging, key: "MODE", value: "one" });
    await call(ENVIRONMENT.set, me, slug, { ...inStaging, key: "MODE", value: "two" });
    await call(ENVIRONMENT.remove, me, slug, { ...inStaging, key: "MODE" });
    expect(await call(ENVIRONMENT.list, me, slug, inStaging)).toEqual({ variables: [] });
    await expect(call(ENVIRONMENT.remove, me, slug, { ...inStaging, key: "MODE" })).rejects.toMatchObject({ status: 404 });
    const { versions } = (await call(ENVIRONMENT.history, me, slug, { ...inStaging, key: "MODE" })) as { versions: { id: string; value: string | null }[] };
    expect(versions.map((v) => v.value)).toEqual([null, "two", "one"]);
    expect(await call(ENVIRONMENT.restore, me, slug, { ...inStaging, versionId: versions[2]!.id })).toMatchObject({ key: "MODE" });
    expect(await call(ENVIRONMENT.list, me, slug, inStaging)).toMatchObject({ variables: [{ key: "MODE", value: "one" }] });
    // A version of another place's key is not this place's.
    await expect(call(ENVIRONMENT.restore, me, slug, { project: inStaging.project, env: "production", versionId: versions[2]!.id })).rejects.toMatchObject({
      status: 404,
    });

    const developer = await addMember(owner, "DEVELOPER");
    await expect(call(TEAM.set, session(developer), slug, { key: "SHARED", value: "1" })).rejects.toMatchObject({ status: 403 });
    await expect(call(TEAM.set, await token(developer, ["write"]), slug, { key: "SHARED", value: "1" })).rejects.toMatchObject({ status: 403 });
    expect(await call(TEAM.set, await token(owner, ["write"]), slug, { key: "SHARED", value: "1" })).toMatchObject({ key: "SHARED" });
    // Production is protected: a developer may read its variables, not change them.
    await expect(
      call(ENVIRONMENT.set, session(developer), slug, { project: inStaging.project, env: "production", key: "A", value: "1" }),
    ).rejects.toMatchObject({
      status: 403,
    });
  });
});
