// Deleting a project, an environment or a service on a real host agent, real git, Docker and Caddy: what they
// ran goes from the host (containers, proxy routes, release images, environment networks), running
// deployments are cancelled first, no row is left naming them, one audit row says what went. An offline host
// gets the removal queued for when its agent is back.
import Dockerode from "dockerode";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deleteEnvironment } from "@/lib/data/delete-environment";
import { deleteProject } from "@/lib/data/delete-project";
import { deployFromGit, deploymentLog } from "@/lib/data/deployments";
import { createGitService } from "@/lib/data/git-services";
import { createHost } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService, deleteService } from "@/lib/data/services";
import { setVariable } from "@/lib/data/variables";
import { containerBase, routeId } from "@/lib/deploy/names";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { hostQueueName } from "@/lib/hosts/protocol";
import { closeQueues } from "@/lib/jobs/enqueue";
import { queueOptions } from "@/lib/jobs/redis";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabels } from "../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../support/git-repo";
import { proxyGet } from "../support/proxy-http";
import { addMember, makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const docker = new Dockerode();
let ctx: TeamContext;
let hostId: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let repo: Awaited<ReturnType<typeof makeBareRepo>>;
const proxy = createProxy();

const settle = (id: string) =>
  waitFor(
    () => db.deployment.findUnique({ where: { id } }),
    (d) => !d || ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
    60_000,
    100,
  );
const gone = (p: Promise<unknown>) =>
  p.then(
    () => "exists",
    (e: { statusCode?: number }) => (e.statusCode === 404 ? "gone" : `error ${e.statusCode}`),
  );
const ownersOf = (ids: { projectId?: string; envIds?: string[]; serviceIds?: string[] }) => [
  ...(ids.projectId ? [`project:${ids.projectId}`] : []),
  ...(ids.envIds ?? []).map((id) => `environment:${id}`),
  ...(ids.serviceIds ?? []).map((id) => `service:${id}`),
];

async function liveGitService(project: string, envSlug: string, name: string) {
  const s = await createGitService(ctx, project, envSlug, {
    name,
    gitUrl: repo.url,
    gitBranch: "main",
    httpPort: "8080",
    healthPath: "/",
    healthTimeoutSec: "10",
    hostId,
  });
  const d = await settle((await deployFromGit(ctx, s.id)).id);
  expect(d?.status, d?.error ?? "").toBe("LIVE");
  return { id: s.id, hostname: `${name}.${envSlug}.${project}.localhost`, imageTag: d!.imageTag! };
}

/** Everything Docker and Caddy hold for these services. */
async function onHost(serviceIds: string[]) {
  const containers = (await Promise.all(serviceIds.map((id) => docker.listContainers({ all: true, filters: { label: [`berth.service.id=${id}`] } })))).flat();
  const routes = (await Promise.all(serviceIds.map((id) => proxy.getRoute(routeId(id))))).filter(Boolean);
  const tags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => serviceIds.some((id) => t.startsWith(`berth-${id}:`)));
  return { containers: containers.length, routes: routes.length, tags };
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  repo = await makeBareRepo("berth-delete-");
  await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": "still here\n" }, "first");
  await repo.commit({ Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN echo slow-step-started && sleep 60\n` }, "slow", "slow");
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "delete-host" });
  hostId = host.id;
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  // Whatever a failed test left: only this file's host's containers, its team's networks, routes and tags.
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.host.id=${hostId}`] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  await removeTestContainers(docker);
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
  repo?.remove();
});

describe("deleting a project", () => {
  it("asks for its name, admins only, another team's is not found", async () => {
    const p = await createProject(ctx, { name: uniq("Guarded") });
    await expect(deleteProject(ctx, p.slug, { confirm: "nope" })).rejects.toMatchObject({ fields: { confirm: [expect.any(String)] } });
    await expect(deleteProject(ctx, p.slug, {})).rejects.toBeInstanceOf(ValidationError);
    const dev = await addMember(ctx, "DEVELOPER");
    await expect(deleteProject(dev, p.slug, { confirm: p.name })).rejects.toBeInstanceOf(ForbiddenError);
    const other = await makeTeam();
    await expect(deleteProject(other, p.slug, { confirm: p.name })).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteEnvironment(other, p.slug, "staging", { confirm: "staging" })).rejects.toBeInstanceOf(NotFoundError);
    const admin = await addMember(ctx, "ADMIN");
    await deleteProject(admin, p.slug, { confirm: ` ${p.name} ` });
    expect(await db.project.count({ where: { id: p.id } })).toBe(0);
  });

  it("removes its services' containers, routes, release images and networks, cancels a running build, and leaves no rows behind", async () => {
    const p = await createProject(ctx, { name: uniq("Doomed") });
    const { env: staging } = await getEnvironment(ctx, p.slug, "staging");
    const { env: prod } = await getEnvironment(ctx, p.slug, "production");
    const web = await liveGitService(p.slug, "staging", "web");
    const network = containerBase({ id: web.id, name: "web", environment: { slug: "staging", project: { slug: p.slug } } });
    expect(await gone(docker.getNetwork(network).inspect())).toBe("exists");
    expect(await proxyGet(web.hostname)).toEqual({ status: 200, body: "still here\n" });
    // A build still running in production when the delete comes.
    const slow = await createGitService(ctx, p.slug, "production", { name: "slow", gitUrl: repo.url, gitBranch: "slow", httpPort: "8080", hostId });
    const slowRun = await deployFromGit(ctx, slow.id);
    await waitFor(
      () => deploymentLog(ctx, slowRun.id),
      (l) => l.lines.some((x) => x.line.includes("slow-step-started")),
      30_000,
    );
    // Variables at every scope it owns, and a service elsewhere in the team that must stay.
    await setVariable(ctx, { scope: "PROJECT", projectId: p.id }, { key: "P", value: "1" });
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: staging.id }, { key: "E", value: "1" });
    await setVariable(ctx, { scope: "SERVICE", serviceId: web.id }, { key: "S", value: "secret-ish", secret: true });
    const keeper = await createProject(ctx, { name: uniq("Keeper") });
    const kept = await createService(ctx, keeper.slug, "staging", { name: "kept", image: "nginx:1.27" });
    await setVariable(ctx, { scope: "SERVICE", serviceId: kept.id }, { key: "K", value: "1" });

    const outcome = await deleteProject(ctx, p.slug, { confirm: p.name });
    expect(outcome).toMatchObject({ services: 2, cancelled: 1, hosts: [{ hostId, done: true }] });

    // On the host: nothing of either service, the network gone, the name no longer routed.
    expect(await onHost([web.id, slow.id])).toEqual({ containers: 0, routes: 0, tags: [] });
    expect(await gone(docker.getImage(web.imageTag).inspect())).toBe("gone");
    expect(await gone(docker.getNetwork(network).inspect())).toBe("gone");
    expect((await proxyGet(web.hostname)).status).toBe(404);
    // In Postgres: nothing naming the project, its environments or services.
    const owners = ownersOf({ projectId: p.id, envIds: [staging.id, prod.id], serviceIds: [web.id, slow.id] });
    expect(await db.variable.count({ where: { owner: { in: owners } } })).toBe(0);
    expect(await db.variableVersion.count({ where: { owner: { in: owners } } })).toBe(0);
    expect(await db.deployment.count({ where: { serviceId: { in: [web.id, slow.id] } } })).toBe(0);
    expect(await db.environment.count({ where: { projectId: p.id } })).toBe(0);
    // The rest of the team is untouched.
    expect(await db.variable.count({ where: { owner: `service:${kept.id}` } })).toBe(1);
    // One audit row, naming what went with it.
    const audit = await db.auditEvent.findMany({ where: { teamId: ctx.team.id, action: "project.delete", targetId: p.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toMatchObject({
      environments: ["development", "staging", "production"],
      services: expect.arrayContaining(["staging/web", "production/slow"]),
      deploymentsCancelled: 1,
    });
    expect(JSON.stringify(audit[0]!.data)).not.toContain("secret-ish");
  }, 120_000);
});

describe("deleting an environment", () => {
  it("removes its services and network from the host and keeps the rest of the project", async () => {
    const p = await createProject(ctx, { name: uniq("Envs") });
    const { env: staging } = await getEnvironment(ctx, p.slug, "staging");
    const web = await liveGitService(p.slug, "staging", "web");
    const network = containerBase({ id: web.id, name: "web", environment: { slug: "staging", project: { slug: p.slug } } });
    const other = await createService(ctx, p.slug, "production", { name: "stays", image: "nginx:1.27" });
    await expect(deleteEnvironment(ctx, p.slug, "staging", { confirm: "production" })).rejects.toBeInstanceOf(ValidationError);
    const dev = await addMember(ctx, "DEVELOPER");
    await expect(deleteEnvironment(dev, p.slug, "staging", { confirm: "staging" })).rejects.toBeInstanceOf(ForbiddenError);

    await deleteEnvironment(ctx, p.slug, "staging", { confirm: "staging" });
    expect(await onHost([web.id])).toEqual({ containers: 0, routes: 0, tags: [] });
    expect(await gone(docker.getNetwork(network).inspect())).toBe("gone");
    expect(await db.environment.findMany({ where: { projectId: p.id }, select: { slug: true }, orderBy: { position: "asc" } })).toEqual([
      { slug: "development" },
      { slug: "production" },
    ]);
    expect(await db.service.count({ where: { id: other.id } })).toBe(1);
    expect(await db.variable.count({ where: { owner: { in: ownersOf({ envIds: [staging.id], serviceIds: [web.id] }) } } })).toBe(0);
    const audit = await db.auditEvent.findMany({ where: { teamId: ctx.team.id, action: "environment.delete", targetId: staging.id } });
    expect(audit.map((a) => [a.targetLabel, a.data])).toEqual([[`${p.name}/staging`, { services: ["web"], variables: 0, deploymentsCancelled: 0 }]]);
  }, 120_000);

  it("leaves a network that a container outside Berth's services still uses", async () => {
    const p = await createProject(ctx, { name: uniq("Shared") });
    const web = await liveGitService(p.slug, "staging", "web");
    const network = containerBase({ id: web.id, name: "web", environment: { slug: "staging", project: { slug: p.slug } } });
    const stranger = await docker.createContainer({ Image: FIXTURE_IMAGE, Cmd: ["sleep", "300"], Labels: testLabels(), HostConfig: { NetworkMode: network } });
    await stranger.start();
    try {
      const out = await deleteEnvironment(ctx, p.slug, "staging", { confirm: "staging" });
      expect(out.hosts).toEqual([{ hostId, done: true }]);
      expect(await onHost([web.id])).toEqual({ containers: 0, routes: 0, tags: [] });
      expect(await gone(docker.getNetwork(network).inspect())).toBe("exists");
      expect((await stranger.inspect()).State.Running).toBe(true);
    } finally {
      await stranger.remove({ force: true });
      await docker
        .getNetwork(network)
        .remove()
        .catch(() => {});
    }
  }, 120_000);
});

describe("deleting an image service", () => {
  it("removes its container from the host", async () => {
    const p = await createProject(ctx, { name: uniq("Img") });
    const svc = await createService(ctx, p.slug, "staging", { name: "api", image: FIXTURE_IMAGE, hostId });
    // Its container as the agent labels it (lib/deploy/names.ts serviceLabels): found by berth.service.id.
    const c = await docker.createContainer({
      Image: FIXTURE_IMAGE,
      Cmd: ["sleep", "300"],
      Labels: { ...testLabels(), "berth.project": p.slug, "berth.environment": "staging", "berth.service": "api", "berth.service.id": svc.id },
    });
    await c.start();
    await deleteService(ctx, svc.id);
    expect(await gone(c.inspect())).toBe("gone");
    expect(await db.service.count({ where: { id: svc.id } })).toBe(0);
  });
});

describe("a host that is offline", () => {
  it("does not stop the delete; its removal waits in its queue for its agent", async () => {
    const away = await createHost(ctx, { name: "away" });
    const p = await createProject(ctx, { name: uniq("Away") });
    const svc = await createService(ctx, p.slug, "staging", { name: "api", image: FIXTURE_IMAGE, hostId: away.id });
    const out = await deleteProject(ctx, p.slug, { confirm: p.name });
    expect(out.hosts).toEqual([{ hostId: away.id, done: false }]);
    expect(await db.project.count({ where: { id: p.id } })).toBe(0);
    const queue = new Queue(hostQueueName(away.id), queueOptions());
    try {
      const waiting = await queue.getJobs(["waiting"]);
      expect(waiting.map((j) => [j.name, j.data])).toEqual([["environment.remove", { serviceIds: [svc.id], network: `berth-${p.slug}-staging` }]]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
