// The agent converges on what Postgres says should run (workers/agent/reconcile/, lib/data/desired-state.ts),
// on the real Docker Engine and Caddy with a real agent and control worker: a live container removed by hand
// is recreated from its release with the same configuration, a route removed or pointing elsewhere is set
// again, leftovers of deployments that never went live and of services no longer there are removed, a
// stopped container is reported and left stopped, and what another host's agent made is never touched.
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployFromGit } from "@/lib/data/deployments";
import { createGitService, updateGitService } from "@/lib/data/git-services";
import { createHost } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { setVariable } from "@/lib/data/variables";
import { routeId } from "@/lib/deploy/names";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../support/git-repo";
import { proxyGet } from "../support/proxy-http";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const docker = new Dockerode();
const proxy = createProxy();
let ctx: TeamContext;
let hostId: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let repo: Awaited<ReturnType<typeof makeBareRepo>>;
let projectSlug: string;
const agentLog: string[] = [];
const foreignRoute = `svc-foreign${uniq("r").replace("-", "")}`;

async function settle(id: string) {
  return waitFor(
    () => db.deployment.findUniqueOrThrow({ where: { id } }),
    (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
    60_000,
    100,
  );
}

async function liveService(name: string) {
  const s = await createGitService(ctx, projectSlug, "staging", {
    name,
    gitUrl: repo.url,
    gitBranch: "main",
    httpPort: "8080",
    healthPath: "/",
    healthTimeoutSec: "10",
    hostId,
  });
  const d = await settle((await deployFromGit(ctx, s.id)).id);
  expect(d.status).toBe("LIVE");
  return { id: s.id, hostname: `${name}.staging.${projectSlug}.localhost`, deployment: d };
}

const containersOf = (serviceId: string) => docker.listContainers({ all: true, filters: { label: [`berth.service.id=${serviceId}`] } });
const serving = (serviceId: string) => db.service.findUniqueOrThrow({ where: { id: serviceId }, select: { servingProblem: true, servingCheckedAt: true } });
const checkedAfter = (serviceId: string, t: Date, ok: (p: string | null) => boolean) =>
  waitFor(
    () => serving(serviceId),
    (s) => !!s.servingCheckedAt && s.servingCheckedAt > t && ok(s.servingProblem),
    20_000,
  );

beforeAll(async () => {
  await ensureFixtureImage(docker);
  repo = await makeBareRepo();
  await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": "release one\n" }, "first release");
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "reconcile-host" });
  hostId = host.id;
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: (m) => agentLog.push(m), heartbeatMs: 500, snapshotMs: 1000 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  projectSlug = (await createProject(ctx, { name: uniq("conv") })).slug;
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.host.id=${hostId}`] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  await docker
    .getNetwork(`berth-${projectSlug}-staging`)
    .remove()
    .catch(() => {});
  const ours = await db.service.findMany({ where: { environment: { project: { teamId: ctx.team.id } } }, select: { id: true } });
  for (const img of await docker.listImages({ filters: { reference: ["berth-*"] } })) {
    for (const tag of img.RepoTags ?? [])
      if (ours.some((s) => tag.startsWith(`berth-${s.id}:`)) || tag.startsWith("berth-gone"))
        await docker
          .getImage(tag)
          .remove()
          .catch(() => {});
  }
  for (const s of ours) await proxy.removeRoute(routeId(s.id)).catch(() => {});
  await proxy.removeRoute(foreignRoute).catch(() => {});
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
  repo?.remove();
});

describe("converging on the desired state", () => {
  it("recreates a live container removed by hand, from its release, with the same configuration and name", async () => {
    const s = await createGitService(ctx, projectSlug, "staging", {
      name: "web",
      gitUrl: repo.url,
      gitBranch: "main",
      httpPort: "8080",
      healthPath: "/",
      healthTimeoutSec: "10",
      hostId,
    });
    const secret = `sk-${uniq()}`;
    await setVariable(ctx, { scope: "SERVICE", serviceId: s.id }, { key: "API_KEY", value: secret, secret: true });
    const d = await settle((await deployFromGit(ctx, s.id)).id);
    expect(d.status).toBe("LIVE");
    const hostname = `web.staging.${projectSlug}.localhost`;
    const first = await checkedAfter(s.id, new Date(0), (p) => p === null);
    expect(first.servingProblem).toBeNull();

    const [live] = await containersOf(s.id);
    await docker.getContainer(live!.Id).remove({ force: true });
    const back = await waitFor(
      () => containersOf(s.id),
      (l) => l.length === 1 && l[0]!.State === "running" && l[0]!.Names[0] === `/berth-${projectSlug}-staging-web`,
      30_000,
    );
    expect(back.map((c) => c.Labels["berth.deployment.id"])).toEqual([d.id]);
    expect(back[0]!.Id).not.toBe(live!.Id);
    expect(
      await waitFor(
        () => proxyGet(hostname),
        (r) => r.status === 200,
        10_000,
      ),
    ).toEqual({ status: 200, body: "release one\n" });
    const info = await docker.getContainer(back[0]!.Id).inspect();
    expect(info.Config.Env).toContain(`API_KEY=${secret}`);
    expect(info.Image).toBe(d.imageId);
    expect(agentLog.some((l) => l.includes("recreating the container of release"))).toBe(true);
    const after = await checkedAfter(s.id, first.servingCheckedAt!, (p) => p === null);
    expect(after.servingProblem).toBeNull();
    // The sealed desired states were read and deleted (each lives two minutes at most if nobody reads it).
    const { adminRedis } = await import("@/lib/redis/admin");
    const left = await adminRedis().keys(`${process.env.BERTH_QUEUE_PREFIX ?? "bull"}:host-${hostId}:desired:*`);
    expect(left.length).toBeLessThanOrEqual(1); // at most one in flight
  }, 90_000);

  it("sets a route removed from Caddy again, and points one that went elsewhere back at the container", async () => {
    const svc = await db.service.findFirstOrThrow({ where: { name: "web", environment: { project: { slug: projectSlug } } } });
    const hostname = `web.staging.${projectSlug}.localhost`;
    await proxy.removeRoute(routeId(svc.id));
    expect((await proxyGet(hostname)).status).toBe(404);
    expect(
      await waitFor(
        () => proxyGet(hostname),
        (r) => r.status === 200,
        15_000,
      ),
    ).toEqual({ status: 200, body: "release one\n" });
    const route = await proxy.getRoute(routeId(svc.id));
    expect(route?.owner).toBe(hostId);

    await createProxy({ owner: hostId }).setRoute(routeId(svc.id), [hostname], "127.0.0.1:9"); // nothing listens there
    expect((await proxyGet(hostname)).status).toBe(502);
    expect(
      await waitFor(
        () => proxyGet(hostname),
        (r) => r.status === 200,
        15_000,
      ),
    ).toEqual({ status: 200, body: "release one\n" });
    expect(agentLog.some((l) => l.includes("the container's address changed"))).toBe(true);
  }, 60_000);

  it("removes a leftover candidate and the image tag of a deployment that never went live, keeping the releases", async () => {
    const svc = await db.service.findFirstOrThrow({ where: { name: "web", environment: { project: { slug: projectSlug } } } });
    await updateGitService(ctx, svc.id, { gitUrl: repo.url, gitBranch: "main", httpPort: "8080", healthPath: "/missing", healthTimeoutSec: "1", hostId });
    const failed = await settle((await deployFromGit(ctx, svc.id)).id);
    expect(failed.status).toBe("FAILED");
    await updateGitService(ctx, svc.id, { gitUrl: repo.url, gitBranch: "main", httpPort: "8080", healthPath: "/", healthTimeoutSec: "10", hostId });
    // What an agent killed in the middle of that deployment would have left.
    const [repoName, tag] = failed.imageTag!.split(":");
    await docker.getImage(FIXTURE_IMAGE).tag({ repo: repoName, tag });
    const [live] = await containersOf(svc.id);
    const leftover = await docker.createContainer({
      Image: FIXTURE_IMAGE,
      name: `berth-${projectSlug}-staging-web-next-${failed.id.slice(-8)}`,
      Cmd: ["sleep", "300"],
      Labels: { ...live!.Labels, "berth.deployment.id": failed.id },
    });
    await leftover.start();
    await waitFor(
      () =>
        leftover.inspect().then(
          () => true,
          () => false,
        ),
      (exists) => !exists,
      20_000,
    );
    await expect(leftover.inspect()).rejects.toMatchObject({ statusCode: 404 });
    await waitFor(
      () =>
        docker
          .getImage(failed.imageTag!)
          .inspect()
          .then(
            () => true,
            () => false,
          ),
      (exists) => !exists,
      10_000,
    );
    await expect(docker.getImage(failed.imageTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const release = await db.deployment.findFirstOrThrow({ where: { serviceId: svc.id, status: "LIVE" } });
    expect((await docker.getImage(release.imageTag!).inspect()).Id).toBe(release.imageId);
    expect((await containersOf(svc.id)).map((c) => c.Id)).toEqual([live!.Id]);
  }, 90_000);

  it("removes the container, route and tags of a service whose removal never reached the host", async () => {
    const s = await liveService("doomed");
    expect((await proxyGet(s.hostname)).status).toBe(200);
    await db.service.delete({ where: { id: s.id } }); // as if the service.remove job had been lost
    await waitFor(
      () => containersOf(s.id),
      (l) => l.length === 0,
      20_000,
    );
    expect(await containersOf(s.id)).toEqual([]);
    expect(
      await waitFor(
        () => proxyGet(s.hostname),
        (r) => r.status === 404,
        10_000,
      ),
    ).toMatchObject({ status: 404 });
    await waitFor(
      () =>
        docker
          .getImage(s.deployment.imageTag!)
          .inspect()
          .then(
            () => true,
            () => false,
          ),
      (exists) => !exists,
      10_000,
    );
    await expect(docker.getImage(s.deployment.imageTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 90_000);

  it("shows a stopped live container as not serving and leaves it stopped, and serving again once started", async () => {
    const svc = await db.service.findFirstOrThrow({ where: { name: "web", environment: { project: { slug: projectSlug } } } });
    const [live] = await containersOf(svc.id);
    const t = new Date();
    await docker.getContainer(live!.Id).stop({ t: 1 });
    const stopped = await checkedAfter(svc.id, t, (p) => p !== null);
    expect(stopped.servingProblem).toMatch(/^The container of release #\d+ is stopped \(exit code \d+\)\. Start it on the host's page, or deploy again\.$/);
    const later = await checkedAfter(svc.id, stopped.servingCheckedAt!, () => true); // another pass
    expect(later.servingProblem).toBe(stopped.servingProblem);
    expect((await docker.getContainer(live!.Id).inspect()).State.Running).toBe(false);
    await docker.getContainer(live!.Id).start();
    const again = await checkedAfter(svc.id, later.servingCheckedAt!, (p) => p === null);
    expect(again.servingProblem).toBeNull();
    expect(
      await waitFor(
        () => proxyGet(`web.staging.${projectSlug}.localhost`),
        (r) => r.status === 200,
        10_000,
      ),
    ).toEqual({ status: 200, body: "release one\n" });
  }, 60_000);

  it("never touches another host's routes or containers", async () => {
    await createProxy({ owner: "someotherhost" }).setRoute(foreignRoute, [`${foreignRoute}.localhost`], "127.0.0.1:9");
    const foreign = await docker.createContainer({
      Image: FIXTURE_IMAGE,
      Cmd: ["sleep", "300"],
      Labels: { "berth.service.id": "foreignservice", "berth.host.id": "someotherhost", "berth.deployment.id": "x", "berth.test": "1" },
    });
    try {
      const svc = await db.service.findFirstOrThrow({ where: { name: "web", environment: { project: { slug: projectSlug } } } });
      const t = new Date();
      await checkedAfter(svc.id, t, () => true);
      await checkedAfter(svc.id, new Date(), () => true); // two passes later
      expect(await proxy.getRoute(foreignRoute)).toMatchObject({ owner: "someotherhost" });
      expect((await foreign.inspect()).Id).toBe(foreign.id);
    } finally {
      await foreign.remove({ force: true });
    }
  }, 60_000);
});
