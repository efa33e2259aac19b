// A second machine as a host, for real: a second Docker Engine in a network namespace (tests/support/second-
// engine.ts) that has only Docker, reaching this machine at its primary address as a remote host would. It
// enrolls by the install command (the real script, the agent image from Berth, the agent in its container
// connecting to Redis over TLS), then: token reuse refused; deploy on B from a registry of B's own; promote to A
// (this machine, an in-process agent) with the same digest through Berth's registry; rollback on B; B cut off
// shown offline within 15 s, back online after and reconciled (a container removed meanwhile recreated); B's
// credentials refused on A's queue, keys and registry repositories; B removed: its login refused at once and its
// agent's container exits. Berth's side runs in this process: the agent-facing routes in a plain HTTP server
// (tests/integration/support/agent-front.ts), the control worker, a registry set up as Berth's own.
import fs from "node:fs";
import http from "node:http";
import Dockerode from "dockerode";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TeamContext } from "@/lib/data/context";
import { deployImage, promoteRelease, rollbackTo } from "@/lib/data/deployments";
import { TOKEN_REFUSED } from "@/lib/data/host-enrollment";
import { addHost, createHost, removeHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService, updateService } from "@/lib/data/services";
import { db } from "@/lib/db";
import { routeId } from "@/lib/deploy/names";
import { currentAgentImage } from "@/lib/hosts/agent-image";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { type EnrollmentCredentials, enrollmentCredentials } from "@/lib/hosts/enrollment";
import { AGENT_CONTAINER, AGENT_VOLUME } from "@/lib/hosts/install-script";
import { hostKeyPrefix } from "@/lib/hosts/protocol";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { type BerthRegistry, startBerthRegistry } from "../support/berth-registry";
import { FIXTURE_IMAGE } from "../support/fixture-image";
import { type NamespaceRegistry, startNamespaceRegistry } from "../support/namespace-registry";
import { proxyGet } from "../support/proxy-http";
import { httpdDockerfile } from "../support/registry";
import { type SecondEngine, startSecondEngine } from "../support/second-engine";
import { type AgentFront, startAgentFront } from "./support/agent-front";
import { removeReleaseTags, settle } from "./support/deploy";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";
import { buildAgent } from "@/scripts/build-agent.mjs";
import { buildAgentImage } from "@/scripts/build-agent-image.mjs";

const docker = new Dockerode();
const saved = { BERTH_PUBLIC_REGISTRY: process.env.BERTH_PUBLIC_REGISTRY };
let engine: SecondEngine;
let front: AgentFront;
let registry: BerthRegistry;
let own: NamespaceRegistry;
let control: ReturnType<typeof startControlWorker>;
let agentA: Awaited<ReturnType<typeof startAgent>>;
let ctx: TeamContext;
let hostA: string;
let hostB: { id: string; install: { curl: string; wget: string } };
let projectSlug: string;
const serviceIds: string[] = [];

const hostRow = (id: string) => db.host.findUniqueOrThrow({ where: { id } });
const installOnB = (command: string) => engine.exec(["sh", "-c", command], { env: { DOCKER_HOST: engine.dockerHost }, timeoutMs: 180_000 });
const agentOnB = () => engine.docker.getContainer(AGENT_CONTAINER).inspect();

/** GET through B's proxy (Caddy in its namespace, port 80) with a Host header, from this machine. */
function proxyGetOnB(host: string): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve) => {
    const req = http.request({ host: engine.address, port: 80, path: "/", headers: { host }, timeout: 3000, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", () => resolve(null));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/** The credentials B's agent keeps in its volume (the volume is a directory of B's data root, on this machine). */
async function credentialsOfB(): Promise<EnrollmentCredentials> {
  const volume = await engine.docker.getVolume(AGENT_VOLUME).inspect();
  return enrollmentCredentials.parse(JSON.parse(fs.readFileSync(`${volume.Mountpoint}/credentials.json`, "utf8")));
}

function redisAs(creds: EnrollmentCredentials) {
  const u = new URL(creds.redisUrl);
  return new Redis({
    host: u.hostname,
    port: Number(u.port),
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    tls: { ca: creds.ca },
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
}

const settings = (image: string, hostId: string) => ({ image, ports: "8080", httpPort: "8080", healthPath: "/", healthTimeoutSec: "20", hostId });

/** What a failed deployment's assertion shows: its steps and log. */
const story = (d: { steps: unknown; log: string | null }) => `steps ${JSON.stringify(d.steps)}; log:\n${d.log}`;

async function deployedOn(serviceId: string) {
  const d = await settle((await deployImage(ctx, serviceId)).id, 120_000);
  expect(d.error, story(d)).toBeNull();
  expect(d.status).toBe("LIVE");
  return d;
}

/** Waits until the release's image is in Berth's registry (pushed after it went live). */
const pushed = (id: string) =>
  waitFor(
    () => db.deployment.findUniqueOrThrow({ where: { id } }),
    (d) => Boolean(d.imageDigest || d.pushError),
    60_000,
  );

beforeAll(async () => {
  // The agent image of this checkout's agent (npm test builds the app only for browser tests; this is cached).
  if (!(await buildAgentImage(await buildAgent(), { log: () => {} }))) throw new Error("the agent image could not be built: is Docker running?");
  engine = await startSecondEngine();
  front = await startAgentFront(engine.mainAddress);
  registry = await startBerthRegistry({ realm: `${front.url}/api/registry/token` });
  process.env.BERTH_PUBLIC_REGISTRY = registry.address;
  own = await startNamespaceRegistry(engine);
  ctx = await makeTeam();
  control = startControlWorker();
  const a = await createHost(ctx, { name: "host-a" });
  hostA = a.id;
  agentA = await startAgent(parseAgentUrl(a.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => hostRow(hostA),
    (h) => h.status === "ONLINE",
  );
  hostB = await addHost(ctx, { name: "host-b" });
  projectSlug = (await createProject(ctx, { name: uniq("remote") })).slug;
}, 240_000);

afterAll(async () => {
  await own?.stop();
  await engine?.stop(); // B and everything on it: the agent's and proxy's containers, releases, volumes
  await agentA?.stop();
  await control?.close();
  for (const id of serviceIds) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${id}`] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    await createProxy()
      .removeRoute(routeId(id))
      .catch(() => {});
  }
  await removeReleaseTags(serviceIds);
  if (ctx)
    for (const img of await docker.listImages())
      for (const ref of [...(img.RepoTags ?? []), ...(img.RepoDigests ?? [])].filter((r) => r.includes(`/${ctx.team.id}/`)))
        await docker
          .getImage(ref)
          .remove()
          .catch(() => {});
  if (projectSlug)
    await docker
      .getNetwork(`berth-${projectSlug}-production`)
      .remove()
      .catch(() => {});
  await registry?.stop();
  await front?.stop();
  for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
}, 120_000);

describe("a remote host on a second Docker Engine", () => {
  it("enrolls by the install command: the agent in its container, online over TLS with its facts", async () => {
    const image = currentAgentImage()!;
    const t0 = Date.now();
    const run = await installOnB(hostB.install.curl);
    const scriptMs = Date.now() - t0;
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    // online, with the facts of its first heartbeat
    const h = await waitFor(
      () => hostRow(hostB.id),
      (h) => h.status === "ONLINE" && h.agentVersion !== null,
      30_000,
    );
    console.log(`install script ${(scriptMs / 1000).toFixed(1)} s, online with facts after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(h.status).toBe("ONLINE");
    const creds = await credentialsOfB();
    // the protocol version Berth handed out at enrollment is the one the agent reports speaking
    expect(h).toMatchObject({
      agentInContainer: true,
      protocolVersion: creds.protocolVersion,
      agentVersion: image.version,
      protocolProblem: null,
    });
    expect(h.dockerVersion).toBe((await engine.docker.version()).Version);
    expect(h.enrollTokenHash).toBeNull();
    const agent = await agentOnB();
    expect(agent.State.Running).toBe(true);
    expect(agent.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    // On B's engine (its own socket mounted), not on this machine's.
    await expect(docker.getContainer(AGENT_CONTAINER).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(agent.Mounts.find((m) => m.Destination === "/var/run/docker.sock")?.Source).toBe(engine.socket);
    expect(creds.hostId).toBe(hostB.id);
    expect(creds.redisUrl).toMatch(/^rediss:\/\//);
    expect(new URL(creds.redisUrl).hostname).toBe(engine.mainAddress);
    // The long-lived password appears in no command, environment or script output.
    const password = decodeURIComponent(new URL(creds.redisUrl).password);
    expect(JSON.stringify([agent.Config.Env, agent.Config.Cmd, agent.Args, run.stdout, run.stderr, hostB.install])).not.toContain(password);
    expect(front.requests).toEqual(
      expect.arrayContaining([expect.stringMatching(/^GET \/api\/agent\/install\//), "GET /api/agent/image", "POST /api/agent/enroll"]),
    );
  }, 240_000);

  it("refuses the install command a second time, and leaves the running agent alone", async () => {
    const before = (await agentOnB()).Id;
    const again = await installOnB(hostB.install.curl);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(TOKEN_REFUSED);
    const agent = await agentOnB();
    expect(agent.Id).toBe(before);
    expect(agent.State.Running).toBe(true);
  }, 60_000);

  let v1: { id: string; imageId: string | null; imageDigest: string | null; registryRepo: string | null };
  let onB: string;
  const hostnameB = () => `web.staging.${projectSlug}.localhost`;

  it("deploys on B from a registry of B's own, and promotes the release to A with the same digest", async () => {
    // B pulls from its own loopback: its admin allows private networks there. A's service names the same
    // reference (a service's image is checked on save); A never pulls it: promotion brings the release.
    for (const id of [hostB.id, hostA]) await updateHostDeploySettings(ctx, id, { baseDomain: "localhost", buildConcurrency: "2", allowPrivateNetworks: "on" });
    const repo = uniq("remote-web");
    const ref1 = await own.push(repo, "1", httpdDockerfile(`v1 ${repo}`));
    onB = (await createService(ctx, projectSlug, "staging", { name: "web", ...settings(ref1, hostB.id) })).id;
    const onA = (await createService(ctx, projectSlug, "production", { name: "web", ...settings(ref1, hostA) })).id;
    serviceIds.push(onB, onA);
    const d = await deployedOn(onB);
    expect(d.hostId).toBe(hostB.id);
    expect((await proxyGetOnB(hostnameB()))?.body).toMatch(/^hello v1 /);
    v1 = await pushed(d.id);
    expect(v1.imageDigest, (v1 as { pushError?: string }).pushError ?? "").toMatch(/^sha256:[0-9a-f]{64}$/);

    const production = (await getEnvironment(ctx, projectSlug, "production")).env;
    const p = await settle((await promoteRelease(ctx, v1.id, production.id)).id, 120_000);
    expect(p.error, story(p)).toBeNull();
    expect(p.status).toBe("LIVE");
    expect(p.hostId).toBe(hostA);
    // A pushes what it runs after it went live too: the same manifest, so the same digest
    expect((await pushed(p.id)).imageDigest).toBe(v1.imageDigest);
    expect((await proxyGet(`web.production.${projectSlug}.localhost`)).body).toMatch(/^hello v1 /);
    // pulled from Berth's registry by that digest, and the very image B runs (image ids are content addresses)
    expect(p.log).toContain(`docker pull ${registry.address}/${v1.registryRepo}@${v1.imageDigest}`);
    const [c] = await docker.listContainers({ filters: { label: [`berth.deployment.id=${p.id}`] } });
    expect((await docker.getContainer(c!.Id).inspect()).Image).toBe(v1.imageId);
  }, 300_000);

  it("rolls back on B to an earlier release", async () => {
    const repo = uniq("remote-web");
    const ref2 = await own.push(repo, "2", httpdDockerfile(`v2 ${repo}`));
    await updateService(ctx, onB, settings(ref2, hostB.id));
    await deployedOn(onB);
    expect((await proxyGetOnB(hostnameB()))?.body).toMatch(/^hello v2 /);
    const back = await settle((await rollbackTo(ctx, v1.id)).id, 120_000);
    expect(back.error, story(back)).toBeNull();
    expect(back.status).toBe("LIVE");
    expect(back.imageId).toBe(v1.imageId);
    expect((await proxyGetOnB(hostnameB()))?.body).toMatch(/^hello v1 /);
  }, 240_000);

  it("shows B offline within 15 s of a partition, and online and reconciled once it ends", async () => {
    const { liveDeploymentId } = await db.service.findUniqueOrThrow({ where: { id: onB } });
    const live = await engine.docker.listContainers({ filters: { label: [`berth.deployment.id=${liveDeploymentId}`] } });
    expect(live).toHaveLength(1);
    engine.cut();
    const cutAt = Date.now();
    try {
      const off = await waitFor(
        () => hostRow(hostB.id),
        (h) => h.status === "OFFLINE",
        20_000,
      );
      const offlineAfter = Date.now() - cutAt;
      console.log(`offline ${(offlineAfter / 1000).toFixed(1)} s after the cut`);
      expect(off.status).toBe("OFFLINE");
      expect(offlineAfter).toBeLessThanOrEqual(15_000);
      // Meanwhile the service's container goes, by hand: B must put it back once it hears from Berth again.
      await engine.docker.getContainer(live[0]!.Id).remove({ force: true });
    } finally {
      engine.heal();
    }
    const on = await waitFor(
      () => hostRow(hostB.id),
      (h) => h.status === "ONLINE",
      60_000,
    );
    expect(on.status).toBe("ONLINE");
    const served = await waitFor(
      () => proxyGetOnB(hostnameB()),
      (r) => r?.status === 200,
      60_000,
      250,
    );
    expect(served?.body).toMatch(/^hello v1 /);
  }, 180_000);

  it("refuses B's credentials on A's queue and keys, and on pushes to A's registry repositories", async () => {
    const creds = await credentialsOfB();
    const prefix = new URL(creds.redisUrl).searchParams.get("prefix")!;
    const redis = redisAs(creds);
    try {
      await redis.connect();
      // its own keys: allowed (so the refusals below are about whose keys, not a broken login)
      await redis.set(`${hostKeyPrefix(prefix, hostB.id)}probe`, "1");
      await redis.del(`${hostKeyPrefix(prefix, hostB.id)}probe`);
      const a = hostKeyPrefix(prefix, hostA);
      for (const attempt of [
        () => redis.llen(`${a}wait`),
        () => redis.lrange(`${a}wait`, 0, -1),
        () => redis.set(`${a}probe`, "1"),
        () => redis.xadd(`${a}reports`, "*", "x", "1"),
        () => redis.eval("return redis.call('GET', KEYS[1])", 1, `${a}meta`),
      ])
        await expect(attempt()).rejects.toThrow(/NOPERM/);
    } finally {
      redis.disconnect();
    }

    const auth = { username: `host-${hostB.id}`, password: decodeURIComponent(new URL(creds.redisUrl).password), serveraddress: registry.address };
    const tagAndPush = async (repo: string) => {
      const [name, tag] = [`${registry.address}/${repo}`, "1"];
      await engine.docker.getImage(FIXTURE_IMAGE).tag({ repo: name, tag });
      const stream = (await engine.docker.getImage(`${name}:${tag}`).push({ authconfig: auth })) as NodeJS.ReadableStream;
      const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
        engine.docker.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) => (err ? reject(err) : resolve(res))),
      );
      return events.find((e) => e.error)?.error ?? null;
    };
    expect(await tagAndPush(`${ctx.team.id}/${hostB.id}/probe`)).toBeNull();
    expect(await tagAndPush(`${ctx.team.id}/${hostA}/intruder`)).toMatch(/denied|unauthorized|insufficient_scope/i);
  }, 120_000);

  it("removes B: its login is refused at once and its agent's container exits", async () => {
    const creds = await credentialsOfB();
    await removeHost(ctx, hostB.id);
    const redis = redisAs(creds);
    const refusals: string[] = [];
    redis.on("error", (e: Error) => refusals.push(e.message));
    await redis.connect().catch((e: Error) => refusals.push(e.message));
    redis.disconnect();
    expect(refusals.join("\n")).toMatch(/WRONGPASS/);
    const agent = await waitFor(
      () => agentOnB(),
      (c) => !c.State.Running && !c.State.Restarting,
      60_000,
      250,
    );
    expect(agent.State.Running).toBe(false);
    // and it stays down: no restart by its policy
    await new Promise((r) => setTimeout(r, 3000));
    expect((await agentOnB()).State.Running).toBe(false);
  }, 120_000);
});
