// Races in the deploy model, against the real PostgreSQL, Redis, Docker Engine and a real host agent:
// one push delivered by two hooks at once (over HTTP, to the webhook route), the scheduler's claim racing a
// newer push's supersede and a cancel (many times over, on the data layer), and concurrent creators of an
// environment network.
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as webhookRoute } from "@/app/api/hooks/services/[serviceId]/route";
import type { TeamContext } from "@/lib/data/context";
import { cancelDeployment, deployFromGit, dispatchDeployments, receivePushWebhook } from "@/lib/data/deployments";
import { createGitService, revealWebhookSecret } from "@/lib/data/git-services";
import { createHost, removeHost } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { db } from "@/lib/db";
import { ACTIVE_ORDER } from "@/lib/deploy/states";
import { routeId } from "@/lib/deploy/names";
import { deploymentSpec, deploymentSpecKey } from "@/lib/hosts/deployment-spec";
import { openAsHost } from "@/lib/hosts/host-seal";
import { hostQueueName } from "@/lib/hosts/protocol";
import { env } from "@/lib/env";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { queueOptions } from "@/lib/jobs/redis";
import { adminRedis, closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { convergeNetwork, ensureNetwork } from "@/workers/agent/docker/networks";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../support/git-repo";
import { proxyGet } from "../support/proxy-http";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const docker = new Dockerode();
let repo: Awaited<ReturnType<typeof makeBareRepo>>;

function githubPush(secret: string, sha: string, delivery: string) {
  const raw = Buffer.from(JSON.stringify({ ref: "refs/heads/main", after: sha }));
  const headers = {
    "content-type": "application/json",
    "x-github-event": "push",
    "x-github-delivery": delivery,
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`,
  };
  return { raw, headers };
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  repo = await makeBareRepo();
  await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": "first\n" }, "first");
});

afterAll(async () => {
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
  repo?.remove();
});

// The webhook route in a plain HTTP server: real requests, sockets and concurrency, without building the app.
async function serveWebhookRoute() {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const serviceId = decodeURIComponent(req.url!.split("/").pop()!);
    const headers = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])));
    const answer = await webhookRoute(new Request(`http://localhost${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }), {
      params: Promise.resolve({ serviceId }),
    });
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe("one push delivered by two hooks at once", () => {
  let ctx: TeamContext;
  let hostId: string;
  let agent: Awaited<ReturnType<typeof startAgent>>;
  let control: ReturnType<typeof startControlWorker>;
  let projectSlug: string;

  beforeAll(async () => {
    ctx = await makeTeam();
    const host = await createHost(ctx, { name: "race-host" });
    hostId = host.id;
    control = startControlWorker();
    agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
    await waitFor(
      () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
      (h) => h.status === "ONLINE",
    );
    projectSlug = (await createProject(ctx, { name: uniq("races") })).slug;
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
    for (const img of await docker.listImages()) {
      for (const tag of img.RepoTags ?? [])
        if (ours.some((s) => tag.startsWith(`berth-${s.id}:`)))
          await docker
            .getImage(tag)
            .remove()
            .catch(() => {});
    }
    for (const s of ours)
      await createProxy()
        .removeRoute(routeId(s.id))
        .catch(() => {});
  });

  it("20 deliveries over HTTP, two delivery-id series: no 5xx, one deployment and one build of the commit, which goes live", async () => {
    const s = await createGitService(ctx, projectSlug, "staging", {
      name: "web",
      gitUrl: repo.url,
      gitBranch: "main",
      httpPort: "8080",
      healthPath: "/",
      healthTimeoutSec: "10",
      hostId,
    });
    const secret = await revealWebhookSecret(ctx, s.id);
    const sha = await repo.commit({ "site/index.html": "pushed once\n" }, "pushed");
    const series = { repository: randomUUID(), organisation: randomUUID() };
    // Each hook's deliveries, some of them redelivered (the same id twice).
    const deliveries = Object.values(series).flatMap((base) => Array.from({ length: 10 }, (_, i) => githubPush(secret, sha, `${base}-${i % 5}`)));
    const server = await serveWebhookRoute();
    try {
      const answers = await Promise.all(
        deliveries.map(async (d) => {
          const res = await fetch(`${server.url}/api/hooks/services/${s.id}`, { method: "POST", headers: d.headers, body: d.raw });
          return { status: res.status, body: (await res.json()) as { deployment?: string; duplicate?: boolean } };
        }),
      );
      expect(answers.filter((a) => a.status >= 500)).toEqual([]);
      const created = answers.filter((a) => a.status === 201);
      expect(created).toHaveLength(1);
      expect(answers.filter((a) => a.status === 200 && a.body.duplicate)).toHaveLength(19);
      // Those answering for the same push by another delivery id name the deployment they refer to.
      for (const a of answers.filter((a) => a.body.deployment && a.status === 200)) expect(a.body.deployment).toBe(created[0]!.body.deployment);
    } finally {
      await server.close();
    }
    const rows = await db.deployment.findMany({ where: { serviceId: s.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.requestedCommit).toBe(sha);
    expect(await db.webhookDelivery.count({ where: { serviceId: s.id } })).toBe(10);

    const done = await waitFor(
      () => db.deployment.findUniqueOrThrow({ where: { id: rows[0]!.id } }),
      (d) => !(ACTIVE_ORDER as readonly string[]).includes(d.status),
      90_000,
      200,
    );
    expect([done.status, done.error]).toEqual(["LIVE", null]);
    expect(done.commitSha).toBe(sha);
    expect((done.steps as { status: string }[]).filter((x) => x.status === "BUILDING")).toHaveLength(1);
    // One release tag (berth-<service>:<number>) on the host: nothing else was built or started for it.
    const releaseTags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(`berth-${s.id}:`) && /:\d+$/.test(t));
    expect(releaseTags).toEqual([done.imageTag]);
    expect(await proxyGet(`web.staging.${projectSlug}.localhost`)).toEqual({ status: 200, body: "pushed once\n" });
  }, 120_000);
});

describe("the scheduler's claim racing a supersede or a cancel", () => {
  const RACES = 50;
  let ctx: TeamContext;
  let hostId: string;
  let projectSlug: string;
  let queue: Queue;
  let agentPassword: string;

  // No agent: the host is switched online by hand, so what is queued waits until the race starts.
  const hostOnline = (online: boolean) =>
    db.host.update({ where: { id: hostId }, data: online ? { status: "ONLINE", lastHeartbeatAt: new Date() } : { status: "OFFLINE" } });
  // The claim starts 0–7 ms after the other side, sweeping the moments where they can interleave.
  const later = <T>(i: number, fn: () => Promise<T>) => new Promise<T>((r, j) => setTimeout(() => fn().then(r, j), i % 8));
  // Frees the host's build slots for the next race (nothing runs them).
  const endAll = () =>
    db.deployment.updateMany({
      where: { hostId, status: { in: [...ACTIVE_ORDER] } },
      data: { status: "FAILED", finishedAt: new Date(), leaseExpiresAt: null },
    });
  const jobsFor = async (deploymentId: string) =>
    (await queue.getJobs(["waiting", "delayed", "prioritized", "active"]))
      .filter((j) => j.data.deploymentId === deploymentId)
      .map((j) => j.name)
      .sort();

  beforeAll(async () => {
    ctx = await makeTeam();
    const host = await createHost(ctx, { name: "no-agent" });
    hostId = host.id;
    agentPassword = decodeURIComponent(new URL(parseAgentUrl(host.agentUrl).redisUrl).password);
    await db.host.update({ where: { id: hostId }, data: { buildConcurrency: 4 } });
    queue = new Queue(hostQueueName(hostId), queueOptions());
    projectSlug = (await createProject(ctx, { name: uniq("claims") })).slug;
  });

  afterAll(async () => {
    await queue?.close();
    await removeHost(ctx, hostId);
  });

  it(`a newer push superseding a queued one as the scheduler claims it: dispatched (the newer one waits) or superseded, never both (${RACES} races)`, async () => {
    const s = await createGitService(ctx, projectSlug, "staging", { name: "pushed", gitUrl: repo.url, gitBranch: "main", httpPort: "8080", hostId });
    const secret = await revealWebhookSecret(ctx, s.id);
    const outcomes = { dispatched: 0, superseded: 0 };
    for (let i = 0; i < RACES; i++) {
      await hostOnline(false);
      const first = githubPush(secret, `${i}`.padStart(40, "a"), randomUUID());
      const older = await receivePushWebhook(s.id, first.headers, first.raw);
      expect(older.status).toBe(201);
      await hostOnline(true);
      const push = githubPush(secret, `${i}`.padStart(40, "b"), randomUUID());
      const [newer] = await Promise.all([receivePushWebhook(s.id, push.headers, push.raw), later(i, dispatchDeployments)]);
      expect(newer.status).toBe(201);
      const a = await db.deployment.findUniqueOrThrow({ where: { id: older.body.deployment! } });
      const b = await db.deployment.findUniqueOrThrow({ where: { id: newer.body.deployment! } });
      if (a.dispatchedAt) {
        outcomes.dispatched++;
        expect([a.status, a.supersededById], `race ${i}`).toEqual(["QUEUED", null]);
        expect(b.dispatchedAt, `race ${i}: the newer push must wait for the running one`).toBeNull();
      } else {
        outcomes.superseded++;
        expect([a.status, a.supersededById], `race ${i}`).toEqual(["CANCELLED", b.id]);
        expect(await jobsFor(a.id), `race ${i}: a superseded deployment is never started`).toEqual([]);
      }
      await endAll();
    }
    expect(outcomes.dispatched + outcomes.superseded).toBe(RACES);
    console.log("supersede vs claim:", outcomes);
  }, 120_000);

  it(`a cancel as the scheduler claims: cancelled before it starts, or dispatched and then cancelled by its agent, never both (${RACES} races)`, async () => {
    const s = await createGitService(ctx, projectSlug, "staging", { name: "cancelled", gitUrl: repo.url, gitBranch: "main", httpPort: "8080", hostId });
    const outcomes = { dispatched: 0, cancelled: 0 };
    for (let i = 0; i < RACES; i++) {
      await hostOnline(false);
      const d = await deployFromGit(ctx, s.id);
      await hostOnline(true);
      const [out] = await Promise.all([cancelDeployment(ctx, d.id), later(i, dispatchDeployments)]);
      const a = await db.deployment.findUniqueOrThrow({ where: { id: d.id } });
      expect(a.cancelRequested).toBe(true);
      if (a.dispatchedAt) {
        outcomes.dispatched++;
        expect([out.ended, a.status], `race ${i}`).toEqual([false, "QUEUED"]);
        expect(await jobsFor(a.id), `race ${i}: its agent is told to cancel it`).toContain("deployment.cancel");
      } else {
        outcomes.cancelled++;
        expect([out.ended, a.status], `race ${i}`).toEqual([true, "CANCELLED"]);
        expect(await jobsFor(a.id), `race ${i}: a cancelled deployment is never started`).toEqual([]);
      }
      await endAll();
    }
    expect(outcomes.dispatched + outcomes.cancelled).toBe(RACES);
    console.log("cancel vs claim:", outcomes);
  }, 120_000);

  it("a newer push supersedes an older queued one; late copies of either push from the other hook deploy nothing", async () => {
    await hostOnline(false);
    const s = await createGitService(ctx, projectSlug, "staging", { name: "ordered", gitUrl: repo.url, gitBranch: "main", httpPort: "8080", hostId });
    const secret = await revealWebhookSecret(ctx, s.id);
    const [c1, c2] = ["1".repeat(40), "2".repeat(40)];
    const send = (sha: string, delivery: string) => {
      const p = githubPush(secret, sha, delivery);
      return receivePushWebhook(s.id, p.headers, p.raw);
    };
    const a = await send(c1, "repo-1");
    const b = await send(c2, "repo-2");
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(await db.deployment.findUniqueOrThrow({ where: { id: a.body.deployment! } })).toMatchObject({
      status: "CANCELLED",
      supersededById: b.body.deployment,
      error: "Superseded by #2, a newer push.",
    });
    // The organisation's hook delivers both pushes late, the older one last.
    expect(await send(c2, "org-2")).toEqual({ status: 200, body: { duplicate: true, deployment: b.body.deployment, number: 2 } });
    expect(await send(c1, "org-1")).toEqual({ status: 200, body: { duplicate: true, deployment: a.body.deployment, number: 1 } });
    expect(await send(c1, "repo-1")).toEqual({ status: 200, body: { duplicate: true } });
    expect(await db.deployment.findUniqueOrThrow({ where: { id: b.body.deployment! } })).toMatchObject({ status: "QUEUED", supersededById: null });
    expect(await db.deployment.count({ where: { serviceId: s.id } })).toBe(2);
    // Much later, the branch is reset to the first commit: that is a new push, and it deploys.
    await db.deployment.updateMany({ where: { serviceId: s.id }, data: { createdAt: new Date(Date.now() - 11 * 60_000) } });
    const again = await send(c1, "repo-3");
    expect(again.status).toBe(201);
    expect(await db.deployment.findUniqueOrThrow({ where: { id: b.body.deployment! } })).toMatchObject({
      status: "CANCELLED",
      supersededById: again.body.deployment,
    });
    // Dispatched, its sealed instructions name the pushed commit (the agent fetches exactly that).
    await hostOnline(true);
    await dispatchDeployments();
    const key = deploymentSpecKey(env.queuePrefix, hostId, again.body.deployment!);
    const spec = deploymentSpec.parse(openAsHost(agentPassword, key, (await adminRedis().get(key))!));
    expect(spec.source).toMatchObject({ kind: "git", ref: "main", commit: c1 });
    await endAll();
  });
});

describe("creating an environment network", () => {
  const made: string[] = [];
  afterAll(async () => {
    for (const c of await docker.listContainers({ all: true, filters: { label: ["berth.test.races=1"] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    for (const name of made)
      for (const n of await docker.listNetworks({ filters: { name: [name] } }))
        if (n.Name === name)
          await docker
            .getNetwork(n.Id)
            .remove()
            .catch(() => {});
  });
  const named = async (name: string) => (await docker.listNetworks({ filters: { name: [name] } })).filter((n) => n.Name === name);
  const labels = { "berth.managed": "true", "berth.test": "1" };

  it("ends with exactly one network, whether 20 deployments in one agent or 20 agents create it at once", async () => {
    const inAgent = `berth-races-${uniq()}`;
    const acrossAgents = `berth-races-${uniq()}`;
    made.push(inAgent, acrossAgents);
    const ids = await Promise.all(Array.from({ length: 20 }, () => ensureNetwork(docker, inAgent, labels)));
    expect(new Set(ids).size).toBe(1);
    expect((await named(inAgent)).map((n) => n.Id)).toEqual([ids[0]]);
    // convergeNetwork is what each of several processes runs (no shared in-process creation).
    await Promise.all(Array.from({ length: 20 }, () => convergeNetwork(docker, acrossAgents, labels)));
    const left = await named(acrossAgents);
    expect(left).toHaveLength(1);
    // And the name is usable: a container joins it by name.
    const c = await docker.createContainer({
      Image: FIXTURE_IMAGE,
      Cmd: ["true"],
      Labels: { "berth.test": "1", "berth.test.races": "1" },
      HostConfig: { NetworkMode: acrossAgents },
    });
    await c.start();
    expect(Object.keys((await c.inspect()).NetworkSettings.Networks)).toEqual([acrossAgents]);
  }, 60_000);

  it("settles duplicates left from the past: keeps the one a container uses, else the oldest, and removes the empty ones", async () => {
    const name = `berth-races-${uniq()}`;
    made.push(name);
    // A container runs on the network; then others of the same name appear (Docker refuses to start a
    // container on a name that matches several, so a used one is always from before the duplicates).
    const used = await docker.createNetwork({ Name: name, Labels: labels });
    const c = await docker.createContainer({
      Image: FIXTURE_IMAGE,
      Cmd: ["sleep", "300"],
      Labels: { "berth.test": "1", "berth.test.races": "1" },
      HostConfig: { NetworkMode: name },
    });
    await c.start();
    for (let i = 0; i < 2; i++) await docker.createNetwork({ Name: name, Labels: labels });
    expect(await named(name)).toHaveLength(3);
    expect(await ensureNetwork(docker, name, labels)).toBe(used.id);
    expect((await named(name)).map((n) => n.Id)).toEqual([used.id]);
    expect((await c.inspect()).State.Running).toBe(true);
    await c.remove({ force: true });

    const other = `berth-races-${uniq()}`;
    made.push(other);
    const first = await docker.createNetwork({ Name: other, Labels: labels });
    await docker.createNetwork({ Name: other, Labels: labels });
    expect(await ensureNetwork(docker, other, labels)).toBe(first.id);
    expect((await named(other)).map((n) => n.Id)).toEqual([first.id]);
  }, 60_000);
});
