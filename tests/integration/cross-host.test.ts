// Releases across hosts through Berth's registry (a real docker-registry with TLS from Berth's CA and its token
// auth, tests/support/berth-registry.ts), with two hosts (two real agents) on the local engine: a release is
// pushed once live under its host's login and its digest recorded; a promotion to a service on the other host
// pulls it by digest (PULLING) and runs the same image id; a service moved to the other host keeps serving on
// the old one until a rollback there (to a release built on the old one) is live, and then the old container
// and route go; a host that lost a live release's image pulls it back to recreate it; pruned releases and
// deleted services leave the registry; with the registry down a cross-host
// promotion fails at PULLING with the reason, a push failure is recorded, a release that was never pushed is
// refused for another host, and it is pushed once the registry is back. The images services deploy come from a plain test registry.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployImage, deploymentLog, promoteRelease, rollbackTo } from "@/lib/data/deployments";
import { desiredStateFor } from "@/lib/data/desired-state";
import { createHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService, deleteService, updateService } from "@/lib/data/services";
import { releaseRepository, routeId } from "@/lib/deploy/names";
import { env } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { agentRedisUrl, provisionHostUser } from "@/lib/hosts/redis-acl";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { registryToken } from "@/lib/registry/token";
import { parseAgentUrl } from "@/workers/agent/config";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { type BerthRegistry, startBerthRegistry } from "../support/berth-registry";
import { ensureFixtureImage } from "../support/fixture-image";
import { proxyGet } from "../support/proxy-http";
import { httpdDockerfile, startRegistry, type TestRegistry } from "../support/registry";
import { removeReleaseTags, settle } from "./support/deploy";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const docker = new Dockerode();
let ctx: TeamContext;
let images: TestRegistry;
let registry: BerthRegistry;
let registryUp = false;
let control: ReturnType<typeof startControlWorker>;
const agents: Awaited<ReturnType<typeof startAgent>>[] = [];
let h1: string;
let h2: string;
let projectSlug: string;
let v1: string;
let v2: string;
let staging: { id: string; hostname: string };
let production: { id: string; envId: string; hostname: string };
const releases: Record<string, string> = {};
let localTag: string | null = null;
const addresses: string[] = []; // each registry's, whose CA a host may have written after it stopped
const savedRegistry = process.env.BERTH_PUBLIC_REGISTRY;

const steps = (d: { steps: unknown }) => (d.steps as { status: string }[]).map((s) => s.status);
const logText = async (id: string) => (await deploymentLog(ctx, id)).lines.map((l) => l.line).join("\n");
const containersOf = (serviceId: string, hostId: string) =>
  docker.listContainers({ all: true, filters: { label: [`berth.service.id=${serviceId}`, `berth.host.id=${hostId}`] } });
const settings = (hostId: string, extra: Record<string, string> = {}) => ({
  image: v1,
  ports: "8080",
  httpPort: "8080",
  healthPath: "/",
  healthTimeoutSec: "10",
  hostId,
  ...extra,
});

/** A host of the team with its own Redis login and a real agent on the local engine. */
async function agentHost(name: string): Promise<string> {
  const host = await createHost(ctx, { name });
  const token = randomBytes(32).toString("base64url");
  const tokenHash = createHash("sha256").update(token).digest("hex");
  await db.host.update({ where: { id: host.id }, data: { tokenHash } });
  await provisionHostUser(host.id, tokenHash);
  // The test image registry is on loopback: the hosts' admin allows private networks for its pulls.
  await updateHostDeploySettings(ctx, host.id, { baseDomain: "localhost", buildConcurrency: "2", allowPrivateNetworks: "on" });
  agents.push(await startAgent(parseAgentUrl(agentRedisUrl(host.id, token, env.redisUrl)), { log: () => {}, heartbeatMs: 500 }));
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: host.id } }),
    (h) => h.status === "ONLINE",
  );
  return host.id;
}

async function live(id: string, ms = 60_000) {
  const d = await settle(id, ms);
  expect(d.error, `steps ${steps(d).join(" → ")}; log:\n${d.log}`).toBeNull();
  expect(d.status).toBe("LIVE");
  return d;
}

/** The release once its push was reported (digest or failure). */
const pushed = (id: string) =>
  waitFor(
    () => db.deployment.findUniqueOrThrow({ where: { id } }),
    (d) => Boolean(d.imageDigest || d.pushError),
    45_000,
  );

/** The manifest digest Berth's registry answers for a repository's tag or digest (null: none), asked with a token of Berth's own. */
function registryDigest(repo: string, reference: string): Promise<string | null> {
  const { token } = registryToken([{ type: "repository", name: repo, actions: ["pull"] }]);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `https://${registry.address}/v2/${repo}/manifests/${reference}`,
      {
        method: "HEAD",
        ca: fs.readFileSync(env.caFile),
        headers: { authorization: `Bearer ${token}`, accept: "application/vnd.docker.distribution.manifest.v2+json" },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? String(res.headers["docker-content-digest"]) : null);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  images = await startRegistry(docker);
  const repo = uniq("berth-xhost");
  v1 = await images.push(repo, "1", httpdDockerfile(`v1 ${repo}`));
  v2 = await images.push(repo, "2", httpdDockerfile(`v2 ${repo}`));
  registry = await startBerthRegistry();
  registryUp = true;
  addresses.push(registry.address);
  process.env.BERTH_PUBLIC_REGISTRY = registry.address; // the spec's registry, and where the control plane deletes

  ctx = await makeTeam();
  control = startControlWorker();
  h1 = await agentHost("host-one");
  h2 = await agentHost("host-two");
  projectSlug = (await createProject(ctx, { name: uniq("xhost") })).slug;
  const s = await createService(ctx, projectSlug, "staging", { name: "web", ...settings(h1) });
  staging = { id: s.id, hostname: `web.staging.${projectSlug}.localhost` };
  const p = await createService(ctx, projectSlug, "production", { name: "web", ...settings(h2, { image: v2 }) });
  production = { id: p.id, envId: (await getEnvironment(ctx, projectSlug, "production")).env.id, hostname: `web.production.${projectSlug}.localhost` };
}, 120_000);

afterAll(async () => {
  await images?.stop();
  if (registryUp) await registry.stop();
  for (const a of agents) await a.stop();
  await control?.close();
  const services = ctx ? await db.service.findMany({ where: { environment: { project: { teamId: ctx.team.id } } }, select: { id: true } }) : [];
  for (const s of services) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${s.id}`] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    await createProxy()
      .removeRoute(routeId(s.id))
      .catch(() => {});
  }
  await removeReleaseTags(services.map((s) => s.id));
  for (const e of ["staging", "production"])
    await docker
      .getNetwork(`berth-${projectSlug}-${e}`)
      .remove()
      .catch(() => {});
  for (const a of addresses) fs.rmSync(path.join("/etc/docker/certs.d", a), { recursive: true, force: true }); // written again by a pull
  if (localTag)
    await docker
      .getImage(localTag)
      .remove()
      .catch(() => {});
  delete process.env.BERTH_RETRY_PUSH_MS;
  if (savedRegistry === undefined) delete process.env.BERTH_PUBLIC_REGISTRY;
  else process.env.BERTH_PUBLIC_REGISTRY = savedRegistry;
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
});

describe("releases across hosts", () => {
  it("pushes a release to Berth's registry once it is live and records its digest", async () => {
    const d = await live((await deployImage(ctx, staging.id)).id);
    const repo = releaseRepository(ctx.team.id, h1, staging.id);
    const r = await pushed(d.id);
    expect(r.pushError).toBeNull();
    expect(r.registryRepo).toBe(repo);
    expect(r.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registryDigest(repo, String(d.number))).toBe(r.imageDigest);
    // The registry's CA is where dockerd looks for it; the extra tag is gone again.
    expect(fs.readFileSync(path.join("/etc/docker/certs.d", registry.address, "ca.crt"), "utf8")).toBe(fs.readFileSync(env.caFile, "utf8"));
    expect((await docker.listImages({ filters: { reference: [`${registry.address}/${repo}`] } })).length).toBe(0);
    releases.first = d.id;
  }, 120_000);

  it("promotes to a service on another host: pulled by digest, the same image id", async () => {
    const source = await db.deployment.findUniqueOrThrow({ where: { id: releases.first! } });
    const d = await live((await promoteRelease(ctx, source.id, production.envId)).id);
    expect(d.hostId).toBe(h2);
    expect(steps(d)).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(await logText(d.id)).toContain(`$ docker pull ${registry.address}/${source.registryRepo}@${source.imageDigest}`);
    expect(d.imageId).toBe(source.imageId);
    const [c] = await containersOf(production.id, h2);
    expect((await docker.getContainer(c!.Id).inspect()).Image).toBe(source.imageId);
    expect((await proxyGet(production.hostname)).body).toMatch(/^hello v1 /);
    // Pushed again under the second host's own repository.
    expect((await pushed(d.id)).registryRepo).toBe(releaseRepository(ctx.team.id, h2, production.id));
  }, 120_000);

  it("moves a service: the old host serves until a rollback on the new one, to a release built on the old one, is live", async () => {
    await updateService(ctx, staging.id, settings(h1, { image: v2 }));
    const second = await live((await deployImage(ctx, staging.id)).id);
    await pushed(second.id);
    expect((await proxyGet(staging.hostname)).body).toMatch(/^hello v2 /);

    // Not while a deployment of it is unfinished (it runs on the current host).
    const busy = await db.deployment.create({
      data: { teamId: ctx.team.id, serviceId: staging.id, hostId: h1, number: 999, trigger: "manual", status: "BUILDING", steps: [], actorEmail: "test" },
    });
    await expect(updateService(ctx, staging.id, settings(h2, { image: v2 }))).rejects.toThrow(/#999 is still deploying on the current host/);
    await db.deployment.delete({ where: { id: busy.id } });
    await updateService(ctx, staging.id, settings(h2, { image: v2 }));
    const audit = await db.auditEvent.findFirst({ where: { teamId: ctx.team.id, action: "service.move" }, orderBy: { createdAt: "desc" } });
    expect(audit?.targetId).toBe(staging.id);
    // Moved, but nothing is live on host two yet: host one keeps the service as it was.
    const before = await desiredStateFor(h1, new Date().toISOString(), []);
    expect(before?.services.find((s) => s.serviceId === staging.id)?.live?.deploymentId).toBe(second.id);
    expect((await containersOf(staging.id, h1)).map((c) => c.State)).toEqual(["running"]);

    const first = await db.deployment.findUniqueOrThrow({ where: { id: releases.first! } });
    const d = await live((await rollbackTo(ctx, first.id)).id);
    releases.third = d.id;
    await pushed(d.id);
    expect(d.hostId).toBe(h2);
    expect(steps(d)).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(d.imageId).toBe(first.imageId);
    // Host one removes its container at once (service.remove), and the route is host two's.
    expect(
      await waitFor(
        () => containersOf(staging.id, h1),
        (l) => l.length === 0,
        20_000,
      ),
    ).toEqual([]);
    const [c] = await containersOf(staging.id, h2);
    const ip = Object.values((await docker.getContainer(c!.Id).inspect()).NetworkSettings.Networks)[0]!.IPAddress;
    const route = await waitFor(
      () => createProxy().getRoute(routeId(staging.id)),
      (r) => r?.upstream === `${ip}:8080`,
      40_000,
    );
    expect(route?.owner).toBe(h2);
    expect((await proxyGet(staging.hostname)).body).toMatch(/^hello v1 /);
    const after = await desiredStateFor(h1, new Date().toISOString(), []);
    expect(after?.services.map((s) => s.serviceId)).not.toContain(staging.id);
    releases.second = second.id;
  }, 180_000);

  it("deletes the manifests of pruned releases and of a deleted service; a host that lost a release's image pulls it back", async () => {
    // Staging keeps one release: its next one prunes #1, #2 (host one) and #3 (host two) and their manifests.
    const [first, second, third] = await Promise.all(
      [releases.first!, releases.second!, releases.third!].map((id) => db.deployment.findUniqueOrThrow({ where: { id } })),
    );
    await updateService(ctx, staging.id, settings(h2, { image: v2, keepReleases: "1" }));
    const fourth = await live((await deployImage(ctx, staging.id)).id);
    const kept = await pushed(fourth.id);
    for (const r of [first, second, third])
      expect(
        await waitFor(
          () => registryDigest(r.registryRepo!, r.imageDigest!),
          (d) => d === null,
          20_000,
        ),
        `#${r.number}`,
      ).toBeNull();
    expect(await registryDigest(kept.registryRepo!, kept.imageDigest!)).toBe(kept.imageDigest);
    releases.fourth = fourth.id;

    // A service of an image of its own, pushed; then its container and image are removed by hand: the host's
    // convergence pulls the release back from Berth's registry and recreates it.
    const v3 = await images.push(uniq("berth-xhost-api"), "3", httpdDockerfile(`api ${projectSlug}`));
    const api = await createService(ctx, projectSlug, "staging", { name: "api", ...settings(h1, { image: v3 }) });
    const a = await pushed((await live((await deployImage(ctx, api.id)).id)).id);
    expect(await registryDigest(a.registryRepo!, a.imageDigest!)).toBe(a.imageDigest);
    for (const c of await containersOf(api.id, h1)) await docker.getContainer(c.Id).remove({ force: true });
    await docker.getImage(a.imageId!).remove({ force: true });
    const back = await waitFor(
      () => containersOf(api.id, h1),
      (l) => l.some((c) => c.State === "running"),
      75_000,
      500,
    );
    expect(back.find((c) => c.State === "running")?.ImageID).toBe(a.imageId);
    await deleteService(ctx, api.id);
    expect(
      await waitFor(
        () => registryDigest(a.registryRepo!, a.imageDigest!),
        (d) => d === null,
        20_000,
      ),
    ).toBeNull();
  }, 240_000);

  it("with the registry down: a cross-host promotion fails at PULLING with the reason, a push failure is recorded, a release never pushed is refused elsewhere, and pushed once the registry is back", async () => {
    // Production moves to host one, with an image under a name of this engine's own (no registry needed).
    localTag = `${uniq("berth-xhost-local")}:1`;
    await docker.getImage(v2).tag({ repo: localTag.split(":")[0], tag: "1" });
    await updateService(ctx, production.id, settings(h1, { image: localTag }));
    await registry.stop();
    registryUp = false;
    // Staging's #4 ran on host two.
    const d = await settle((await promoteRelease(ctx, releases.fourth!, production.envId)).id, 60_000);
    expect(d.status).toBe("FAILED");
    expect(steps(d)).toEqual(["QUEUED", "PULLING", "FAILED"]);
    expect(d.error).toContain(`Berth's registry at ${registry.address} did not answer`);
    expect((await proxyGet(production.hostname)).body).toMatch(/^hello v1 /); // the live release still serves, on host two

    // Production deploys on host one (its image is there already): live, but its push fails.
    const p = await live((await deployImage(ctx, production.id)).id);
    const r = await pushed(p.id);
    expect(r.imageDigest).toBeNull();
    expect(r.pushError).toContain(`Berth's registry at ${registry.address} did not answer`);
    // Staging is on host two: the production release cannot go there.
    const refused = await promoteRelease(ctx, p.id, (await getEnvironment(ctx, projectSlug, "staging")).env.id).catch((e) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as Error).message).toMatch(new RegExp(`#${p.number}'s image is on another host and not in Berth's registry: its push failed`));

    // The registry is back (at another address): host one's convergence pushes the live release again.
    process.env.BERTH_RETRY_PUSH_MS = "0";
    registry = await startBerthRegistry();
    registryUp = true;
    addresses.push(registry.address);
    process.env.BERTH_PUBLIC_REGISTRY = registry.address;
    const again = await waitFor(
      () => db.deployment.findUniqueOrThrow({ where: { id: p.id } }),
      (x) => Boolean(x.imageDigest),
      75_000,
      500,
    );
    expect(again.pushError).toBeNull();
    expect(await registryDigest(again.registryRepo!, again.imageDigest!)).toBe(again.imageDigest);
  }, 240_000);
});
