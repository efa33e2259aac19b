// Pull request previews end to end, driven by the providers' real payloads (GitHub's from
// @octokit/webhooks-examples, GitLab's and Gitea's from tests/fixtures/webhooks) signed like the providers
// sign them, on a real host agent, real git (a bare repository serving refs/pull/<n>/head and
// refs/merge-requests/<n>/head), the Docker Engine and Caddy: opened → pr-<n> built from the head commit and
// served; new commits → redeployed; a fork → waits, an approval of its exact head deploys it without
// unapproved secrets; closed, merged, closed in Berth or expired → nothing left on the host or in Postgres.
import { createHmac, randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import examples from "@octokit/webhooks-examples/api.github.com/index.json";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { receivePushWebhook } from "@/lib/data/deployments";
import { createGitService, revealWebhookSecret } from "@/lib/data/git-services";
import { createHost } from "@/lib/data/hosts";
import { approvePreview, closePreview, listPreviews, reapExpiredPreviews } from "@/lib/data/previews";
import { createEnvironment, createProject, getEnvironment } from "@/lib/data/projects";
import { setVariable } from "@/lib/data/variables";
import { containerBase, routeId } from "@/lib/deploy/names";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers } from "../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../support/git-repo";
import { proxyGet } from "../support/proxy-http";
import { addMember, makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

// biome-ignore lint/suspicious/noExplicitAny: providers' payloads, edited field by field as each test needs
type Json = Record<string, any>;
const run = promisify(execFile);
const docker = new Dockerode();
const proxy = createProxy();
let ctx: TeamContext;
let hostId: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let repo: Awaited<ReturnType<typeof makeBareRepo>>;
let project: { id: string; slug: string };
let web: { id: string };
let secret: string;

const githubExample = (action: string): Json =>
  structuredClone(((examples as Json[]).find((e) => e.name === "pull_request")!.examples as Json[]).find((e) => e.action === action)!);
const fixture = (name: string): Json => JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/webhooks", name), "utf8"));

/** A GitHub pull_request payload of `action` for pull request `n` at `sha`, against main. */
function github(action: string, n: number, sha: string, opts: { fork?: boolean; merged?: boolean } = {}) {
  const b = githubExample(action);
  b.number = n;
  b.pull_request.number = n;
  b.pull_request.base.ref = "main";
  b.pull_request.head.ref = `feature-${n}`;
  b.pull_request.head.sha = sha;
  if (opts.fork) b.pull_request.head.repo.id = 424242;
  if (opts.merged) b.pull_request.merged = true;
  return b;
}

/** Signs the raw body as each provider does. */
function deliver(provider: "github" | "gitlab" | "gitea", body: Json, delivery = randomUUID()) {
  const raw = Buffer.from(JSON.stringify(body));
  const hmac = createHmac("sha256", secret).update(raw).digest("hex");
  const headers: Record<string, string> =
    provider === "github"
      ? { "x-github-event": "pull_request", "x-github-delivery": delivery, "x-hub-signature-256": `sha256=${hmac}` }
      : provider === "gitlab"
        ? { "x-gitlab-event": "Merge Request Hook", "x-gitlab-event-uuid": delivery, "x-gitlab-token": secret }
        : { "x-gitea-event": "pull_request", "x-github-event": "pull_request", "x-gitea-delivery": delivery, "x-gitea-signature": hmac };
  return receivePushWebhook(web.id, headers, raw);
}

/** A commit the base repository serves only under a pull request ref (like GitHub and GitLab do for forks). */
async function pullRequestCommit(ref: string, content: string) {
  const branch = `tmp-${randomUUID().slice(0, 8)}`;
  const sha = await repo.commit({ "site/index.html": content }, content.trim(), branch);
  await run("git", ["-C", repo.bare, "update-ref", ref, sha]);
  await run("git", ["-C", repo.bare, "branch", "-D", branch]);
  return sha;
}

const settle = (id: string) =>
  waitFor(
    () => db.deployment.findUniqueOrThrow({ where: { id } }),
    (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
    90_000,
    100,
  );
const previewOf = (n: number, provider = "github") =>
  db.preview.findUniqueOrThrow({ where: { serviceId_provider_number: { serviceId: web.id, provider, number: n } } });
const readyPreview = (n: number, provider = "github") =>
  waitFor(
    () => previewOf(n, provider),
    (p) => p.status === "ready" || p.status === "failed",
    30_000,
  );
const hostname = (n: number) => `web.pr-${n}.${project.slug}.localhost`;

/** The environment variables the preview's web container was started with. */
async function containerEnv(envId: string) {
  const svc = await db.service.findFirstOrThrow({ where: { environmentId: envId, name: "web" } });
  const [c] = await docker.listContainers({ filters: { label: [`berth.service.id=${svc.id}`] } });
  return (await docker.getContainer(c!.Id).inspect()).Config.Env.join("\n");
}

/** Everything a preview environment could leave: on the host (containers, routes, images, network) and in Postgres. */
async function leftovers(envId: string, serviceIds: string[], n: number) {
  const containers = (await Promise.all(serviceIds.map((id) => docker.listContainers({ all: true, filters: { label: [`berth.service.id=${id}`] } })))).flat();
  const routes = (await Promise.all(serviceIds.map((id) => proxy.getRoute(routeId(id))))).filter(Boolean);
  const tags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => serviceIds.some((id) => t.startsWith(`berth-${id}:`)));
  const network = containerBase({ id: "", name: "web", environment: { slug: `pr-${n}`, project: { slug: project.slug } } });
  const networks = (await docker.listNetworks({ filters: { name: [network] } })).filter((x) => x.Name === network);
  const owners = [`environment:${envId}`, ...serviceIds.map((id) => `service:${id}`)];
  return {
    containers: containers.length,
    routes: routes.length,
    tags: tags.length,
    networks: networks.length,
    variables: await db.variable.count({ where: { owner: { in: owners } } }),
    services: await db.service.count({ where: { id: { in: serviceIds } } }),
    environments: await db.environment.count({ where: { id: envId } }),
  };
}
const NOTHING = { containers: 0, routes: 0, tags: 0, networks: 0, variables: 0, services: 0, environments: 0 };

/** Deploys PR `n` from a member and waits until it is served; returns its environment and services. */
async function livePreview(provider: "github" | "gitlab" | "gitea", body: Json, n: number) {
  const r = await deliver(provider, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const d = await settle(r.body.deployment!);
  expect(d.status, d.error ?? "").toBe("LIVE");
  const p = await readyPreview(n, provider);
  expect(p.status).toBe("ready");
  const serviceIds = (await db.service.findMany({ where: { environmentId: p.environmentId! }, select: { id: true } })).map((s) => s.id);
  return { preview: p, envId: p.environmentId!, serviceIds, deployment: d };
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  repo = await makeBareRepo("berth-previews-");
  await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": "main branch\n" }, "main");
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "preview-host" });
  hostId = host.id;
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  project = await createProject(ctx, { name: uniq("previews") });
  web = await createGitService(ctx, project.slug, "staging", {
    name: "web",
    gitUrl: repo.url,
    gitBranch: "main",
    httpPort: "8080",
    healthPath: "/",
    healthTimeoutSec: "10",
    hostId,
  });
  secret = await revealWebhookSecret(ctx, web.id);
  // Settings PUI's pages make: previews on, one secret allowed, the owner known as GitHub's example author.
  const { env: staging } = await getEnvironment(ctx, project.slug, "staging");
  await db.service.update({ where: { id: web.id }, data: { previewsEnabled: true } });
  await db.environment.update({ where: { id: staging.id }, data: { previewSecretKeys: ["ALLOWED_SECRET"] } });
  await db.membership.updateMany({ where: { teamId: ctx.team.id, userId: ctx.actor.id }, data: { gitUsernames: ["github:codertocat", "gitlab:root"] } });
  await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: staging.id }, { key: "PLAIN", value: "plain-value" });
  await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: staging.id }, { key: "ALLOWED_SECRET", value: "allowed-4d1f", secret: true });
  await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: staging.id }, { key: "DENIED_SECRET", value: "denied-9c2e", secret: true });
  await setVariable(ctx, { scope: "SERVICE", serviceId: web.id }, { key: "SERVICE_SECRET", value: "service-7b3a", secret: true });
  await setVariable(ctx, { scope: "PROJECT", projectId: project.id }, { key: "PROJECT_SECRET", value: "project-5e8d", secret: true });
  await setVariable(ctx, { scope: "TEAM" }, { key: "TEAM_SECRET", value: "team-1a6f", secret: true });
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.host.id=${hostId}`] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  await removeTestContainers(docker);
  // A failed test may leave its environments' networks and release images behind.
  for (const n of await docker.listNetworks())
    if (project && n.Name.startsWith(`berth-${project.slug}-`))
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {});
  const ours = await db.service.findMany({ where: { environment: { project: { teamId: ctx?.team.id } } }, select: { id: true } });
  for (const tag of (await docker.listImages()).flatMap((i) => i.RepoTags ?? []))
    if (ours.some((s) => tag.startsWith(`berth-${s.id}:`)))
      await docker
        .getImage(tag)
        .remove()
        .catch(() => {});
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
  repo?.remove();
});

function expectOnlyAllowedSecrets(env: string) {
  expect(env).toMatch(/^PLAIN=plain-value$/m);
  expect(env).toMatch(/^ALLOWED_SECRET=allowed-4d1f$/m);
  for (const leaked of ["DENIED_SECRET", "denied-9c2e", "SERVICE_SECRET", "service-7b3a", "PROJECT_SECRET", "project-5e8d", "TEAM_SECRET", "team-1a6f"]) {
    expect(env).not.toContain(leaked);
  }
}

describe("a member's pull request", () => {
  let envId: string;
  let serviceIds: string[];

  it("opened → pr-2 is cloned, its head commit built from refs/pull/2/head and served at its URL", async () => {
    const sha = await pullRequestCommit("refs/pull/2/head", "pull request two\n");
    const live = await livePreview("github", github("opened", 2, sha), 2);
    ({ envId, serviceIds } = live);
    expect(live.deployment).toMatchObject({ commitSha: sha, ref: "refs/pull/2/head", trigger: "webhook", actorEmail: "webhook:github" });
    expect(await db.environment.findUniqueOrThrow({ where: { id: envId } })).toMatchObject({ slug: "pr-2", projectId: project.id });
    expect(live.preview).toMatchObject({ author: "github:codertocat", fromFork: false, authorIsMember: true, url: `http://${hostname(2)}${proxyPort()}/` });
    expect(await proxyGet(hostname(2))).toEqual({ status: 200, body: "pull request two\n" });
    // The member's own pull request still gets only the secrets allowed in previews.
    expectOnlyAllowedSecrets(await containerEnv(envId));
    const listed = await listPreviews(ctx, { projectSlug: project.slug });
    expect(listed.find((p) => p.number === 2)).toMatchObject({ status: "ready", needsApproval: false, environment: { slug: "pr-2" } });
  }, 120_000);

  it("a repeated delivery acts once", async () => {
    const sha = (await previewOf(2)).headSha;
    const id = randomUUID();
    const first = await deliver("github", github("synchronize", 2, sha), id);
    const again = await deliver("github", github("synchronize", 2, sha), id);
    expect(again).toEqual({ status: 200, body: { duplicate: true } });
    await settle(first.body.deployment!);
  }, 120_000);

  it("synchronize with a new commit → redeployed with the new content", async () => {
    const sha = await pullRequestCommit("refs/pull/2/head", "pull request two, second push\n");
    const r = await deliver("github", github("synchronize", 2, sha));
    expect(r.status).toBe(201);
    expect((await settle(r.body.deployment!)).status).toBe("LIVE");
    await readyPreview(2);
    expect(await previewOf(2)).toMatchObject({ headSha: sha, status: "ready" });
    expect(await proxyGet(hostname(2))).toEqual({ status: 200, body: "pull request two, second push\n" });
  }, 120_000);

  it("closed (merged) → nothing left: containers, routes, images, network, variables, services, environment", async () => {
    const before = await leftovers(envId, serviceIds, 2);
    // (The first release's container may still be draining after the switch: one or two.)
    expect(before).toMatchObject({ routes: 1, networks: 1, services: 1, environments: 1, variables: 2 });
    expect(before.containers).toBeGreaterThan(0);
    expect(before.tags).toBeGreaterThan(0);
    const r = await deliver("github", github("closed", 2, (await previewOf(2)).headSha, { merged: true }));
    expect(r).toMatchObject({ status: 200, body: { closed: true } });
    expect(await leftovers(envId, serviceIds, 2)).toEqual(NOTHING);
    expect(await previewOf(2)).toMatchObject({ status: "closed", environmentId: null, url: null });
    expect((await proxyGet(hostname(2))).status).toBe(404);
    const audit = await db.auditEvent.findFirst({ where: { teamId: ctx.team.id, action: "preview.close" }, orderBy: { createdAt: "desc" } });
    expect(audit).toMatchObject({ actorEmail: "webhook:github", data: expect.objectContaining({ reason: "pull request merged" }) });
  }, 120_000);
});

describe("a pull request from a fork", () => {
  it("waits with nothing built; only a developer's approval of its exact head deploys it, without unapproved secrets; a new push waits again", async () => {
    const sha = await pullRequestCommit("refs/pull/3/head", "fork one\n");
    const r = await deliver("github", github("opened", 3, sha, { fork: true }));
    expect(r.status).toBe(202);
    expect(r.body.waiting).toMatch(/fork/);
    const waiting = await previewOf(3);
    expect(waiting).toMatchObject({ status: "waiting", environmentId: null, fromFork: true });
    expect(await db.environment.count({ where: { projectId: project.id, slug: "pr-3" } })).toBe(0);
    expect(await db.deployment.count({ where: { teamId: ctx.team.id, ref: "refs/pull/3/head" } })).toBe(0);

    // Not another commit, not a viewer, not another team.
    await expect(approvePreview(ctx, waiting.id, "f".repeat(40))).rejects.toBeInstanceOf(ConflictError);
    const viewer = await addMember(ctx, "VIEWER");
    await expect(approvePreview(viewer, waiting.id, sha)).rejects.toBeInstanceOf(ForbiddenError);
    const other = await makeTeam();
    await expect(approvePreview(other, waiting.id, sha)).rejects.toBeInstanceOf(NotFoundError);
    await expect(closePreview(other, waiting.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await listPreviews(other)).toEqual([]);

    const dev = await addMember(ctx, "DEVELOPER");
    const approved = await approvePreview(dev, waiting.id, sha);
    expect((await settle(approved.deployment)).status).toBe("LIVE");
    const p = await readyPreview(3);
    expect(p).toMatchObject({ status: "ready", approvedSha: sha, approvedById: dev.actor.id });
    expect(await proxyGet(hostname(3))).toEqual({ status: 200, body: "fork one\n" });
    expectOnlyAllowedSecrets(await containerEnv(p.environmentId!));

    // A new push after the approval: back to waiting, nothing deployed, the approved commit still served.
    const deployments = await db.deployment.count({ where: { teamId: ctx.team.id, ref: "refs/pull/3/head" } });
    const next = await pullRequestCommit("refs/pull/3/head", "fork two\n");
    const again = await deliver("github", github("synchronize", 3, next, { fork: true }));
    expect(again.status).toBe(202);
    expect(await previewOf(3)).toMatchObject({ status: "waiting", headSha: next, approvedSha: sha });
    expect(await db.deployment.count({ where: { teamId: ctx.team.id, ref: "refs/pull/3/head" } })).toBe(deployments);
    expect(await proxyGet(hostname(3))).toEqual({ status: 200, body: "fork one\n" });
    expect((await listPreviews(ctx)).find((x) => x.id === p.id)).toMatchObject({ needsApproval: true, status: "waiting" });

    // Closed in Berth by a developer: torn down like a closed pull request.
    const serviceIds = (await db.service.findMany({ where: { environmentId: p.environmentId! }, select: { id: true } })).map((s) => s.id);
    await closePreview(dev, p.id);
    expect(await leftovers(p.environmentId!, serviceIds, 3)).toEqual(NOTHING);
    expect(await previewOf(3)).toMatchObject({ status: "closed", environmentId: null });
    // Closing it again finds nothing to do and records nothing.
    const audits = await db.auditEvent.count({ where: { teamId: ctx.team.id, action: "preview.close" } });
    expect(await closePreview(dev, p.id)).toMatchObject({ services: 0, variables: 0, cancelled: 0 });
    expect(await db.auditEvent.count({ where: { teamId: ctx.team.id, action: "preview.close" } })).toBe(audits);
  }, 180_000);

  it("a pull request by someone who is not a member waits too", async () => {
    const b = github("opened", 4, await pullRequestCommit("refs/pull/4/head", "stranger\n"));
    b.pull_request.user.login = "stranger";
    const r = await deliver("github", b);
    expect(r.body.waiting).toMatch(/github:stranger is not a developer/);
    expect(await previewOf(4)).toMatchObject({ status: "waiting", authorIsMember: false, fromFork: false });
  });
});

describe("other providers and the time-to-live", () => {
  it("GitLab: open builds refs/merge-requests/<iid>/head, close tears it down", async () => {
    const body = fixture("gitlab-merge-request-open.json");
    const sha = await pullRequestCommit("refs/merge-requests/7/head", "gitlab seven\n");
    Object.assign(body.object_attributes, { iid: 7, target_branch: "main", source_branch: "gl-feature" });
    body.object_attributes.last_commit.id = sha;
    const live = await livePreview("gitlab", body, 7);
    expect(live.deployment.ref).toBe("refs/merge-requests/7/head");
    expect(await proxyGet(hostname(7))).toEqual({ status: 200, body: "gitlab seven\n" });
    body.object_attributes.action = "close";
    expect((await deliver("gitlab", body)).body.closed).toBe(true);
    expect(await leftovers(live.envId, live.serviceIds, 7)).toEqual(NOTHING);
  }, 120_000);

  it("Gitea: an opened pull request from a fork waits, is approved and deployed, and closed tears it down", async () => {
    const body = fixture("gitea-pull-request-opened.json");
    const sha = await pullRequestCommit("refs/pull/8/head", "gitea eight\n");
    body.number = 8;
    body.pull_request.number = 8;
    body.pull_request.base.ref = "main";
    body.pull_request.head.sha = sha;
    const r = await deliver("gitea", body);
    expect(r.status).toBe(202);
    const p = await previewOf(8, "gitea");
    expect(p).toMatchObject({ status: "waiting", fromFork: true, author: "gitea:example2" });
    const approved = await approvePreview(ctx, p.id, sha);
    expect((await settle(approved.deployment)).status).toBe("LIVE");
    const ready = await readyPreview(8, "gitea");
    expect(await proxyGet(hostname(8))).toEqual({ status: 200, body: "gitea eight\n" });
    const serviceIds = (await db.service.findMany({ where: { environmentId: ready.environmentId! }, select: { id: true } })).map((s) => s.id);
    body.action = "closed";
    expect((await deliver("gitea", body)).body.closed).toBe(true);
    expect(await leftovers(ready.environmentId!, serviceIds, 8)).toEqual(NOTHING);
  }, 120_000);

  it("a preview whose last push is older than its time-to-live is reaped; a fresh one stays", async () => {
    // A second service in the base environment runs in the preview as the base configures it (its branch).
    await createGitService(ctx, project.slug, "staging", { name: "api", gitUrl: repo.url, gitBranch: "main", httpPort: "8080", healthPath: "/", hostId });
    const live = await livePreview("github", github("opened", 9, await pullRequestCommit("refs/pull/9/head", "ttl nine\n")), 9);
    expect(live.serviceIds).toHaveLength(2);
    const api = await db.service.findFirstOrThrow({ where: { environmentId: live.envId, name: "api" } });
    const apiRun = await waitFor(
      () => db.deployment.findFirstOrThrow({ where: { serviceId: api.id } }),
      (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
      90_000,
    );
    expect(apiRun).toMatchObject({ status: "LIVE", ref: "main", requestedCommit: null });
    expect(await proxyGet(`api.pr-9.${project.slug}.localhost`)).toEqual({ status: 200, body: "main branch\n" });
    expect(await reapExpiredPreviews()).not.toContain(live.preview.id);
    await db.preview.update({ where: { id: live.preview.id }, data: { lastPushAt: new Date(Date.now() - 73 * 3600_000) } });
    expect(await reapExpiredPreviews()).toContain(live.preview.id);
    expect(await leftovers(live.envId, live.serviceIds, 9)).toEqual(NOTHING);
    expect(await previewOf(9)).toMatchObject({ status: "closed" });
    expect(await db.auditEvent.count({ where: { teamId: ctx.team.id, action: "preview.close", actorEmail: "system:preview-ttl" } })).toBe(1);
  }, 120_000);

  it("a head that does not build: the preview is failed, and says so in the list", async () => {
    const branch = `tmp-${randomUUID().slice(0, 8)}`;
    const sha = await repo.commit({ Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN false\n` }, "broken", branch);
    await run("git", ["-C", repo.bare, "update-ref", "refs/pull/12/head", sha]);
    const r = await deliver("github", github("opened", 12, sha));
    expect((await settle(r.body.deployment!)).status).toBe("FAILED");
    expect((await readyPreview(12)).status).toBe("failed");
    expect((await listPreviews(ctx, { serviceId: web.id })).find((p) => p.number === 12)).toMatchObject({ status: "failed", url: null });
    await closePreview(ctx, (await previewOf(12)).id);
  }, 120_000);

  it("an environment pr-<n> that is not a preview is a conflict, and the delivery is not used up", async () => {
    await createEnvironment(ctx, project.slug, { name: "pr-11" });
    const body = github("opened", 11, await pullRequestCommit("refs/pull/11/head", "eleven\n"));
    const id = randomUUID();
    await expect(deliver("github", body, id)).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/pr-11 that is not this pull request's preview/),
    });
    // Nothing of it stayed: a redelivery once the name is free acts.
    expect(await db.preview.count({ where: { serviceId: web.id, number: 11 } })).toBe(0);
    expect(await db.webhookDelivery.count({ where: { serviceId: web.id, deliveryId: id } })).toBe(0);
  });

  it("ignores pull requests against other branches, and everything while previews are off", async () => {
    const b = github("opened", 10, "a".repeat(40));
    b.pull_request.base.ref = "develop";
    expect((await deliver("github", b)).body.ignored).toMatch(/against develop/);
    await db.service.update({ where: { id: web.id }, data: { previewsEnabled: false } });
    expect((await deliver("github", github("opened", 10, "a".repeat(40)))).body).toEqual({ ignored: "ignored: previews are off for web" });
    await db.service.update({ where: { id: web.id }, data: { previewsEnabled: true } });
    expect(await db.preview.count({ where: { serviceId: web.id, number: 10 } })).toBe(0);
  });
});

function proxyPort() {
  const port = Number(process.env.BERTH_PROXY_HTTP_PORT || 80);
  return port === 80 ? "" : `:${port}`;
}
