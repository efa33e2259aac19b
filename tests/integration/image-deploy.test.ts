// Image services deploy through the same model as git ones, on a real host agent, the real Docker Engine,
// Caddy and a private registry: a deployment pulls (steps and pull lines recorded), goes live as a release
// with the exact image id; a configuration change switches with no failed request; rollback reuses the
// release's image id without pulling; promotion carries it to another environment; a failing health check
// leaves the old container serving; a service publishing a fixed host port is recreated, and its old
// container comes back when the new one fails.
import http from "node:http";
import net from "node:net";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployImage, deploymentLog, getDeployment, promoteRelease, rollbackTo } from "@/lib/data/deployments";
import { createHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { resolvedServices } from "@/lib/data/resolved-config";
import { imageServiceView } from "@/lib/data/service-view";
import { createService, updateService } from "@/lib/data/services";
import { setVariable } from "@/lib/data/variables";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { routeId } from "@/lib/deploy/names";
import { parseAgentUrl } from "@/workers/agent/config";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage } from "../support/fixture-image";
import { probeLoop, proxyGet } from "../support/proxy-http";
import { httpdDockerfile, startRegistry, type TestRegistry } from "../support/registry";
import { removeReleaseTags, settle } from "./support/deploy";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const docker = new Dockerode();
let ctx: TeamContext;
let hostId: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let registry: TestRegistry;
let projectSlug: string;
let v1: string;
let v2: string;
let web: { id: string; hostname: string };
const releases: string[] = [];

const steps = (d: { steps: unknown }) => (d.steps as { status: string }[]).map((s) => s.status);
const logText = async (id: string) => (await deploymentLog(ctx, id)).lines.map((l) => l.line).join("\n");
const serviceContainers = (serviceId: string) => docker.listContainers({ all: true, filters: { label: [`berth.service.id=${serviceId}`] } });
const webSettings = (extra: Record<string, string> = {}) => ({
  image: v1,
  ports: "8080",
  httpPort: "8080",
  healthPath: "/",
  healthTimeoutSec: "10",
  hostId,
  ...extra,
});

async function deployed(serviceId: string) {
  const d = await settle((await deployImage(ctx, serviceId)).id);
  expect(d.error, `steps ${steps(d).join(" → ")}; log:\n${d.log}`).toBeNull();
  expect(d.status).toBe("LIVE");
  return d;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** GET / on a host port, straight (no proxy): the body, or null when nothing answers. */
function hostPortGet(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", timeout: 2000, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve(res.statusCode === 200 ? body : null));
    });
    req.on("error", () => resolve(null));
    req.on("timeout", () => req.destroy());
  });
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  registry = await startRegistry(docker);
  const repo = uniq("berth-test");
  v1 = await registry.push(repo, "1", httpdDockerfile(`v1 ${repo}`));
  v2 = await registry.push(repo, "2", httpdDockerfile(`v2 ${repo}`));
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "image-host" });
  hostId = host.id;
  // The test registry is on loopback: this host's admin allows private networks for its pulls.
  await updateHostDeploySettings(ctx, hostId, { baseDomain: "localhost", buildConcurrency: "2", allowPrivateNetworks: "on" });
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  projectSlug = (await createProject(ctx, { name: uniq("imgapp") })).slug;
  const s = await createService(ctx, projectSlug, "staging", { name: "web", ...webSettings() });
  web = { id: s.id, hostname: `web.staging.${projectSlug}.localhost` };
}, 120_000);

afterAll(async () => {
  await registry?.stop(); // first: whatever fails below, no registry process or pushed image stays
  await agent?.stop();
  await control?.close();
  const services = ctx ? await db.service.findMany({ where: { environment: { project: { teamId: ctx.team.id } } }, select: { id: true } }) : [];
  for (const s of services)
    for (const c of await serviceContainers(s.id))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
  await removeReleaseTags(services.map((s) => s.id));
  for (const s of services)
    await createProxy()
      .removeRoute(routeId(s.id))
      .catch(() => {});
  for (const env of ["staging", "production"])
    await docker
      .getNetwork(`berth-${projectSlug}-${env}`)
      .remove()
      .catch(() => {});
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
});

describe("an image service's deployments", () => {
  it("pull, start, pass the health check and go live: steps, pull lines in the log, a release with the exact image", async () => {
    const d = await deployed(web.id);
    expect(steps(d)).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(d.image).toBe(v1);
    expect(d.imageId).toBe((await docker.getImage(v1).inspect()).Id);
    const log = await logText(d.id);
    expect(log).toContain(`$ docker pull ${v1}`);
    expect(log).toMatch(/Pull complete/);
    expect(log).toMatch(/Digest: sha256:[0-9a-f]{64}/);
    expect(log).not.toMatch(/Downloading[\s\S]*\n.*Downloading.*\n.*Downloading/); // one line per layer and status, not the progress bars
    const view = await getDeployment(ctx, d.id);
    expect(view.timed.map((t) => t.status)).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK"]);
    // A release: the service's live deployment, its image kept under the release tag, serving at its URL.
    expect((await db.service.findUniqueOrThrow({ where: { id: web.id } })).liveDeploymentId).toBe(d.id);
    expect((await docker.getImage(d.imageTag!).inspect()).Id).toBe(d.imageId);
    expect(await proxyGet(web.hostname)).toMatchObject({ status: 200, body: expect.stringMatching(/^hello v1 /) });
    const page = await imageServiceView(ctx, projectSlug, "staging", "web");
    expect(page.urls).toEqual([
      `http://${web.hostname}${Number(process.env.BERTH_PROXY_HTTP_PORT || 80) === 80 ? "" : `:${process.env.BERTH_PROXY_HTTP_PORT}`}/`,
    ]);
    expect(page.strategy.strategy).toBe("switch");
    releases.push(d.id);
  }, 90_000);

  it("applies a configuration change with no failed request during the switch", async () => {
    const { project, env } = await getEnvironment(ctx, projectSlug, "staging");
    const staged = async () => (await resolvedServices(ctx, { id: env.id, projectId: project.id })).find((s) => s.serviceId === web.id)!.pending;
    await setVariable(ctx, { scope: "SERVICE", serviceId: web.id }, { key: "GREETING", value: "bonjour" });
    expect(await staged()).toBe(true);

    const probe = probeLoop(web.hostname);
    const d = await deployed(web.id);
    await new Promise((r) => setTimeout(r, 500));
    const seen = await probe.stop();
    expect(seen.failures).toEqual([]);
    expect([...seen.bodies].map((b) => b.split(" ")[0])).toEqual(["hello", "bonjour"]);
    expect(seen.count).toBeGreaterThan(10);
    // The same tag is not pulled again; the step is still recorded.
    expect(steps(d)).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(await logText(d.id)).toMatch(/is on this host already/);
    expect(d.imageId).toBe((await db.deployment.findUniqueOrThrow({ where: { id: releases[0]! } })).imageId);
    expect(await staged()).toBe(false);
    const running = await waitFor(
      () => serviceContainers(web.id),
      (l) => l.length === 1 && l[0]!.Names[0] === `/berth-${projectSlug}-staging-web`,
      15_000,
    );
    expect(running.map((c) => c.Names[0])).toEqual([`/berth-${projectSlug}-staging-web`]);
    releases.push(d.id);
  }, 90_000);

  it("rolls back to the previous release with its exact image id, without pulling", async () => {
    await updateService(ctx, web.id, webSettings({ image: v2 }));
    const newer = await deployed(web.id);
    expect(newer.image).toBe(v2);
    expect(newer.imageId).not.toBe((await db.deployment.findUniqueOrThrow({ where: { id: releases[1]! } })).imageId);
    expect((await proxyGet(web.hostname)).body).toMatch(/^bonjour v2 /);

    // The reference is gone from the host (the release tags still hold the image): nothing could be pulled.
    await docker.getImage(v1).remove();
    const previous = await db.deployment.findUniqueOrThrow({ where: { id: releases[1]! } });
    const d = await settle((await rollbackTo(ctx, previous.id)).id);
    expect(d.error).toBeNull();
    expect(d.status).toBe("LIVE");
    expect(steps(d)).toEqual(["QUEUED", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(d.imageId).toBe(previous.imageId);
    expect(d.image).toBe(v1);
    expect(await logText(d.id)).not.toMatch(/docker pull/);
    expect((await proxyGet(web.hostname)).body).toMatch(/^bonjour v1 /);
    const [c] = await docker.listContainers({ filters: { label: [`berth.deployment.id=${d.id}`] } });
    expect((await docker.getContainer(c!.Id).inspect()).Image).toBe(previous.imageId);
    releases.push(d.id);
  }, 90_000);

  it("promotes a release to the service of the same name in another environment, with that environment's configuration", async () => {
    const { env } = await getEnvironment(ctx, projectSlug, "production");
    const prod = await createService(ctx, projectSlug, "production", { name: "web", ...webSettings({ image: v2 }) });
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: env.id }, { key: "GREETING", value: "hola" });
    const release = await db.deployment.findUniqueOrThrow({ where: { id: releases[2]! } });
    const d = await settle((await promoteRelease(ctx, release.id, env.id)).id);
    expect(d.error).toBeNull();
    expect(d.status).toBe("LIVE");
    expect(d.trigger).toBe("promote");
    expect(d.imageId).toBe(release.imageId);
    expect(d.image).toBe(v1);
    expect((await proxyGet(`web.production.${projectSlug}.localhost`)).body).toMatch(/^hola v1 /);
    expect((await db.service.findUniqueOrThrow({ where: { id: prod.id } })).liveDeploymentId).toBe(d.id);
  }, 90_000);

  it("leaves the old container serving when the new one fails its health check", async () => {
    await updateService(ctx, web.id, webSettings({ image: v2, healthPath: "/missing-health", healthTimeoutSec: "2" }));
    const before = await proxyGet(web.hostname);
    const d = await settle((await deployImage(ctx, web.id)).id);
    expect(d.status).toBe("FAILED");
    expect(d.error).toMatch(/health check did not pass within 2 s: GET \/missing-health answered 404/);
    expect(await docker.listContainers({ all: true, filters: { label: [`berth.deployment.id=${d.id}`] } })).toEqual([]);
    await expect(docker.getImage(d.imageTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await proxyGet(web.hostname)).toEqual(before);
    expect((await db.service.findUniqueOrThrow({ where: { id: web.id } })).liveDeploymentId).toBe(releases[2]);
    await updateService(ctx, web.id, webSettings({ image: v2 }));
  }, 60_000);

  it("recreates a service that publishes a fixed host port, and starts the old container again when the new one fails", async () => {
    const port = await freePort();
    const fixed = await createService(ctx, projectSlug, "staging", { name: "fixed", image: v1, ports: `${port}:8080`, hostId });
    expect((await imageServiceView(ctx, projectSlug, "staging", "fixed")).strategy).toEqual({
      strategy: "recreate",
      reason: `host port ${port}/tcp can be published by one container at a time`,
    });
    await deployed(fixed.id);
    expect(await hostPortGet(port)).toMatch(/^hello v1 /);

    await setVariable(ctx, { scope: "SERVICE", serviceId: fixed.id }, { key: "GREETING", value: "second" });
    const second = await deployed(fixed.id);
    expect(steps(second)).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(await logText(second.id)).toMatch(/Recreating: host port \d+\/tcp can be published by one container at a time/);
    expect(
      await waitFor(
        () => hostPortGet(port),
        (b) => b !== null,
        10_000,
      ),
    ).toMatch(/^second v1 /);
    expect(
      await waitFor(
        () => serviceContainers(fixed.id),
        (l) => l.length === 1,
        10_000,
      ),
    ).toHaveLength(1);

    // A release that cannot start: the old container is started again and answers on the port.
    // A short health timeout: this test is about restoring the old container, not about how soon a dead one is noticed.
    await updateService(ctx, fixed.id, { image: v1, ports: `${port}:8080`, command: "sh\n-c\necho broken; exit 3", hostId, healthTimeoutSec: "10" });
    const broken = await settle((await deployImage(ctx, fixed.id)).id);
    expect(broken.status).toBe("FAILED");
    expect(await logText(broken.id)).toMatch(/Starting the previous container again/);
    expect(
      await waitFor(
        () => hostPortGet(port),
        (b) => b !== null,
        10_000,
      ),
    ).toMatch(/^second v1 /);
    const left = await serviceContainers(fixed.id);
    expect(left.map((c) => c.State)).toEqual(["running"]);
    expect(left[0]!.Labels["berth.deployment.id"]).toBe(second.id);
  }, 120_000);

  it("refuses a port that is not one, a domain another service on the host answers at, and another team's service", async () => {
    await expect(createService(ctx, projectSlug, "development", { name: "web2", image: v1, httpPort: "not-a-port", hostId })).rejects.toBeInstanceOf(
      ValidationError,
    );
    // web.staging.<project>.localhost is web's: a service of that name in another project is fine, but not a
    // custom domain another service already answers at.
    await updateService(ctx, web.id, webSettings({ image: v2, domains: `${projectSlug}-web.localhost` }));
    await expect(
      createService(ctx, projectSlug, "development", { name: "other", ...webSettings({ domains: `${projectSlug}-web.localhost` }) }),
    ).rejects.toBeInstanceOf(ConflictError);
    const otherTeam = await makeTeam();
    await expect(deployImage(otherTeam, web.id)).rejects.toBeInstanceOf(NotFoundError);
  }, 30_000);
});
