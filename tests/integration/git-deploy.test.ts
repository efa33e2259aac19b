// Git deploys end to end on a real host agent, real git, the real Docker Engine and Caddy: a bare repository
// with a Dockerfile on the locally built base image; deploy → 200 through the service's URL; a webhook push
// goes live with no failed request during the switch; broken builds, failing health checks and cancels
// leave the previous release serving; rollback, promotion, leases, scheduling and the data gate.
import { createHmac, randomUUID } from "node:crypto";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { cancelDeployment, deployFromGit, deploymentLog, getDeployment, promoteRelease, receivePushWebhook, rollbackTo } from "@/lib/data/deployments";
import { createGitService, revealWebhookSecret, updateGitService } from "@/lib/data/git-services";
import { createHost, removeHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { deleteService } from "@/lib/data/services";
import { setVariable } from "@/lib/data/variables";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { routeId } from "@/lib/deploy/names";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../support/git-repo";
import { BAD_REFS, BAD_URLS } from "../support/injection-corpus";
import { proxyGet, probeLoop } from "../support/proxy-http";
import { addMember, makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

process.env.BERTH_DEPLOY_LEASE_MS = "3000";

const docker = new Dockerode();
let ctx: TeamContext;
let agentUrl: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let hostId: string;
let repo: Awaited<ReturnType<typeof makeBareRepo>>;
let projectSlug: string;
let staging: { serviceId: string; hostname: string };
const releases: string[] = [];

const startTestAgent = async () => startAgent(parseAgentUrl(agentUrl), { log: () => {}, heartbeatMs: 500 });

async function settle(id: string, ms = 60_000) {
  const d = await waitFor(
    () => db.deployment.findUniqueOrThrow({ where: { id } }),
    (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
    ms,
    100,
  );
  return d;
}

async function gitService(env: string, name: string, extra: Record<string, string> = {}) {
  const s = await createGitService(ctx, projectSlug, env, {
    name,
    gitUrl: repo.url,
    gitBranch: "main",
    httpPort: "8080",
    healthPath: "/",
    healthTimeoutSec: "10",
    hostId,
    ...extra,
  });
  return { serviceId: s.id, hostname: `${name}.${env}.${projectSlug}.localhost` };
}

function signed(secret: string, body: object, delivery = randomUUID()) {
  const raw = Buffer.from(JSON.stringify(body));
  const headers = {
    "x-github-event": "push",
    "x-github-delivery": delivery,
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`,
  };
  return { raw, headers };
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  repo = await makeBareRepo();
  await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": "release one\n" }, "first release");
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "git-host" });
  hostId = host.id;
  agentUrl = host.agentUrl;
  control = startControlWorker();
  agent = await startTestAgent();
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  projectSlug = (await createProject(ctx, { name: uniq("gitapp") })).slug;
  staging = await gitService("staging", "web");
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  const mine = await docker.listContainers({ all: true, filters: { label: [`berth.host.id=${hostId}`] } });
  for (const c of mine)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  for (const env of ["staging", "production"])
    await docker
      .getNetwork(`berth-${projectSlug}-${env}`)
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
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
  repo?.remove();
});

describe("deploying from git", () => {
  it("clones, builds, starts and health-checks, then serves the service at its URL", async () => {
    const d = await deployFromGit(ctx, staging.serviceId);
    const done = await settle(d.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe("LIVE");
    expect((done.steps as { status: string }[]).map((s) => s.status)).toEqual(["QUEUED", "CLONING", "BUILDING", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(done.commitMessage).toBe("first release");
    expect(done.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(done.imageId).toMatch(/^sha256:/);
    expect(await proxyGet(staging.hostname)).toEqual({ status: 200, body: "release one\n" });
    const view = await getDeployment(ctx, d.id);
    expect(view.timed.map((t) => t.status)).toEqual(["QUEUED", "CLONING", "BUILDING", "STARTING", "HEALTH_CHECK"]);
    expect(view.timed.every((t) => t.ms !== null && !t.running)).toBe(true);
    const log = await deploymentLog(ctx, d.id);
    expect(log.ended).toBe(true);
    expect(log.lines.map((l) => l.line).join("\n")).toMatch(/COPY site\/ \/www\//);
    // Resuming after line 3 gives the rest, not the start again.
    const rest = await deploymentLog(ctx, d.id, { line: 3, entry: "-" });
    expect(rest.lines[0]!.line).toBe(log.lines[3]!.line);
    const [live] = await docker.listContainers({ filters: { label: [`berth.service.id=${staging.serviceId}`] } });
    expect(live!.Names).toEqual([`/berth-${projectSlug}-staging-web`]);
    releases.push(d.id);
  }, 90_000);

  it("deploys a pushed commit from a signed webhook once, with no failed request during the switch", async () => {
    const secret = await revealWebhookSecret(ctx, staging.serviceId);
    const sha = await repo.commit({ "site/index.html": "release two\n" }, "second release");
    const push = signed(secret, { ref: "refs/heads/main", after: sha });

    const probe = probeLoop(staging.hostname);
    const first = await receivePushWebhook(staging.serviceId, push.headers, push.raw);
    expect(first.status).toBe(201);
    const again = await receivePushWebhook(staging.serviceId, push.headers, push.raw);
    expect(again).toEqual({ status: 200, body: { duplicate: true } });
    const done = await settle(first.body.deployment!);
    await new Promise((r) => setTimeout(r, 500));
    const seen = await probe.stop();
    expect(done.status).toBe("LIVE");
    expect(done.trigger).toBe("webhook");
    expect(done.commitSha).toBe(sha);
    expect(seen.failures).toEqual([]);
    expect(seen.bodies.has("release one\n") && seen.bodies.has("release two\n")).toBe(true);
    expect(seen.count).toBeGreaterThan(10);
    expect(await proxyGet(staging.hostname)).toEqual({ status: 200, body: "release two\n" });
    releases.push(done.id);

    // The old container drains, then goes: only the live one remains, under the stable name.
    const running = await waitFor(
      () => docker.listContainers({ all: true, filters: { label: [`berth.service.id=${staging.serviceId}`] } }),
      (l) => l.length === 1 && l[0]!.Names[0] === `/berth-${projectSlug}-staging-web`,
      10_000,
    );
    expect(running.map((c) => c.Names[0])).toEqual([`/berth-${projectSlug}-staging-web`]);
  }, 90_000);

  it("refuses bad signatures from every kind of sender, and ignores pushes to other branches", async () => {
    const secret = await revealWebhookSecret(ctx, staging.serviceId);
    const forged = signed("not-the-secret", { ref: "refs/heads/main", after: "a".repeat(40) });
    await expect(receivePushWebhook(staging.serviceId, forged.headers, forged.raw)).rejects.toMatchObject({ status: 401 });
    const other = signed(secret, { ref: "refs/heads/feature", after: "b".repeat(40) });
    const r = await receivePushWebhook(staging.serviceId, other.headers, other.raw);
    expect(r.status).toBe(202);
    expect(r.body.ignored).toMatch(/feature/);
    await expect(receivePushWebhook("nope", other.headers, other.raw)).rejects.toBeInstanceOf(NotFoundError);
    // GitLab's token and Berth's generic HMAC are checked too (a push to another branch: accepted, ignored).
    const body = Buffer.from(JSON.stringify({ ref: "refs/heads/feature", after: "c".repeat(40), checkout_sha: "c".repeat(40) }));
    const gitlab = { "x-gitlab-event": "Push Hook", "x-gitlab-event-uuid": randomUUID() };
    expect((await receivePushWebhook(staging.serviceId, { ...gitlab, "x-gitlab-token": secret }, body)).status).toBe(202);
    await expect(receivePushWebhook(staging.serviceId, { ...gitlab, "x-gitlab-token": "guess" }, body)).rejects.toMatchObject({ status: 401 });
    const hmac = createHmac("sha256", secret).update(body).digest("hex");
    expect((await receivePushWebhook(staging.serviceId, { "x-berth-signature": `sha256=${hmac}` }, body)).status).toBe(202);
    await expect(receivePushWebhook(staging.serviceId, { "x-berth-signature": `sha256=${"0".repeat(64)}` }, body)).rejects.toMatchObject({ status: 401 });
  });

  it("fails a broken Dockerfile with its build log, and the previous release keeps serving", async () => {
    await repo.commit({ Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN echo compiling && exit 7\n` }, "broken build", "broken");
    const s = await gitService("staging", "broken", { gitBranch: "broken" });
    const d = await settle((await deployFromGit(ctx, s.serviceId)).id);
    expect(d.status).toBe("FAILED");
    expect(d.error).toMatch(/returned a non-zero code: 7/);
    expect(d.log).toMatch(/compiling/);
    expect(await docker.listContainers({ all: true, filters: { label: [`berth.deployment.id=${d.id}`] } })).toEqual([]);
    await expect(docker.getImage(d.imageTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await proxyGet(staging.hostname)).toEqual({ status: 200, body: "release two\n" });
  }, 90_000);

  it("leaves the old release serving when the new one fails its health check, with the reason and its last log lines", async () => {
    await updateGitService(ctx, staging.serviceId, {
      gitUrl: repo.url,
      gitBranch: "main",
      httpPort: "8080",
      healthPath: "/missing-health",
      healthTimeoutSec: "2",
      hostId,
    });
    const d = await settle((await deployFromGit(ctx, staging.serviceId)).id);
    expect(d.status).toBe("FAILED");
    expect(d.error).toMatch(/health check did not pass within 2 s: GET \/missing-health answered 404/);
    expect(await docker.listContainers({ all: true, filters: { label: [`berth.deployment.id=${d.id}`] } })).toEqual([]);
    expect(await proxyGet(staging.hostname)).toEqual({ status: 200, body: "release two\n" });
    await updateGitService(ctx, staging.serviceId, { gitUrl: repo.url, gitBranch: "main", httpPort: "8080", healthPath: "/", healthTimeoutSec: "10", hostId });
  }, 90_000);

  it("cancels mid-build: the build stops and nothing of it is left", async () => {
    await repo.commit({ Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN echo slow-step-started && sleep 60\n` }, "slow build", "slow");
    const s = await gitService("staging", "slow", { gitBranch: "slow" });
    const { id } = await deployFromGit(ctx, s.serviceId);
    await waitFor(
      () => deploymentLog(ctx, id),
      (l) => l.lines.some((x) => x.line.includes("slow-step-started")),
      30_000,
    );
    const started = Date.now();
    await cancelDeployment(ctx, id);
    const d = await settle(id, 20_000);
    expect(d.status).toBe("CANCELLED");
    expect(Date.now() - started).toBeLessThan(15_000); // not the 60 s the step would take
    expect(await docker.listContainers({ all: true, filters: { label: [`berth.deployment.id=${id}`] } })).toEqual([]);
    await expect(docker.getImage(d.imageTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(cancelDeployment(ctx, id)).rejects.toBeInstanceOf(ValidationError);
  }, 90_000);

  it("rolls back to an earlier release without rebuilding", async () => {
    const first = await db.deployment.findUniqueOrThrow({ where: { id: releases[0]! } });
    const d = await settle((await rollbackTo(ctx, first.id)).id);
    expect(d.status).toBe("LIVE");
    expect((d.steps as { status: string }[]).map((s) => s.status)).toEqual(["QUEUED", "STARTING", "HEALTH_CHECK", "LIVE"]);
    expect(d.imageId).toBe(first.imageId);
    expect(d.commitSha).toBe(first.commitSha);
    expect(await proxyGet(staging.hostname)).toEqual({ status: 200, body: "release one\n" });
  }, 60_000);

  it("promotes the exact staging image to production, with production's configuration", async () => {
    const prod = await gitService("production", "web");
    const { project, env } = await getEnvironment(ctx, projectSlug, "production");
    expect(project.slug).toBe(projectSlug);
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: env.id }, { key: "STAGE", value: "prod" });
    const release = await db.deployment.findUniqueOrThrow({ where: { id: releases[1]! } });
    const d = await settle((await promoteRelease(ctx, release.id, env.id)).id);
    expect(d.status).toBe("LIVE");
    expect(d.imageId).toBe(release.imageId);
    expect(d.trigger).toBe("promote");
    expect(await proxyGet(prod.hostname)).toEqual({ status: 200, body: "release two\n" });
    const [c] = await docker.listContainers({ filters: { label: [`berth.service.id=${prod.serviceId}`] } });
    const info = await docker.getContainer(c!.Id).inspect();
    expect(info.Image).toBe(release.imageId);
    expect(info.Config.Env).toContain("STAGE=prod");
  }, 60_000);
});

describe("releases kept for rollback", () => {
  it("keeps the newest releases' images and prunes older ones, which can then no longer be rolled back to", async () => {
    await updateGitService(ctx, staging.serviceId, {
      gitUrl: repo.url,
      gitBranch: "main",
      httpPort: "8080",
      healthPath: "/",
      healthTimeoutSec: "10",
      hostId,
      keepReleases: "2",
    });
    const d = await settle((await deployFromGit(ctx, staging.serviceId)).id);
    expect(d.status).toBe("LIVE");
    // Pruning follows the LIVE report.
    const all = await waitFor(
      () => db.deployment.findMany({ where: { serviceId: staging.serviceId, status: "LIVE" }, orderBy: { finishedAt: "desc" } }),
      (rows) => rows.filter((r) => !r.imagePrunedAt).length === 2,
    );
    const kept = all.filter((r) => !r.imagePrunedAt);
    expect(kept.map((r) => r.id)).toEqual(all.slice(0, 2).map((r) => r.id));
    const pruned = all.slice(2);
    expect(pruned.length).toBeGreaterThanOrEqual(2);
    for (const r of pruned)
      await waitFor(
        () =>
          docker
            .getImage(r.imageTag!)
            .inspect()
            .then(
              () => true,
              () => false,
            ),
        (exists) => !exists,
        10_000,
      );
    for (const r of pruned) await expect(docker.getImage(r.imageTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    for (const r of kept) expect((await docker.getImage(r.imageTag!).inspect()).Id).toBe(r.imageId);
    await expect(rollbackTo(ctx, pruned[0]!.id)).rejects.toThrow(/pruned/);
    await updateGitService(ctx, staging.serviceId, { gitUrl: repo.url, gitBranch: "main", httpPort: "8080", healthPath: "/", healthTimeoutSec: "10", hostId });
  }, 60_000);
});

describe("scheduling, leases and restarts", () => {
  it("runs deployments of different services side by side, up to the host's build concurrency", async () => {
    await repo.commit(
      { Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN sleep 2\n${HTTPD_DOCKERFILE.split("\n").slice(1).join("\n")}`, "site/index.html": "sleepy\n" },
      "sleepy build",
      "sleepy",
    );
    const services = await Promise.all(["c1", "c2", "c3"].map((n) => gitService("staging", n, { gitBranch: "sleepy" })));
    const ids = [];
    for (const s of services) ids.push((await deployFromGit(ctx, s.serviceId)).id);
    const done = await Promise.all(ids.map((id) => settle(id)));
    expect(done.map((d) => d.status)).toEqual(["LIVE", "LIVE", "LIVE"]);
    const at = (t: number) => done.filter((d) => d.dispatchedAt!.getTime() <= t && t < d.finishedAt!.getTime()).length;
    const overlap = Math.max(...done.map((d) => at(d.dispatchedAt!.getTime())));
    expect(overlap).toBe(2); // two side by side (default concurrency 2), never three
    const third = done.reduce((a, b) => (a.dispatchedAt! > b.dispatchedAt! ? a : b));
    expect(third.dispatchedAt!.getTime()).toBeGreaterThanOrEqual(Math.min(...done.filter((d) => d !== third).map((d) => d.finishedAt!.getTime())));
  }, 120_000);

  it("keeps deployments for an offline host queued with their position, and fails them if the host is removed", async () => {
    const idle = await createHost(ctx, { name: "never-online" });
    const s = await createGitService(ctx, projectSlug, "development", {
      name: "waiting",
      gitUrl: repo.url,
      gitBranch: "main",
      httpPort: "8080",
      hostId: idle.id,
    });
    const a = await deployFromGit(ctx, s.id);
    const b = await deployFromGit(ctx, s.id);
    await new Promise((r) => setTimeout(r, 1500)); // a scheduler pass or two
    expect((await getDeployment(ctx, a.id)).position).toBe(1);
    expect((await getDeployment(ctx, b.id)).position).toBe(2);
    await removeHost(ctx, idle.id);
    for (const id of [a.id, b.id]) {
      const d = await db.deployment.findUniqueOrThrow({ where: { id } });
      expect([d.status, d.error]).toEqual(["FAILED", "The host never-online was removed."]);
    }
  });

  it("runs one deployment of a service at a time", async () => {
    const a = await deployFromGit(ctx, staging.serviceId);
    const b = await deployFromGit(ctx, staging.serviceId);
    const queued = await getDeployment(ctx, b.id);
    expect(queued.status).toBe("QUEUED");
    const [da, db_] = [await settle(a.id), await settle(b.id)];
    expect(da.status).toBe("LIVE");
    expect(db_.status).toBe("LIVE");
    expect(db_.dispatchedAt!.getTime()).toBeGreaterThanOrEqual(da.finishedAt!.getTime());
  }, 120_000);

  it("fails a deployment at once, cleaned up, when its agent is stopped gracefully", async () => {
    const s = await gitService("staging", "interrupted", { gitBranch: "slow" });
    const { id } = await deployFromGit(ctx, s.serviceId);
    await waitFor(
      () => deploymentLog(ctx, id),
      (l) => l.lines.some((x) => x.line.includes("slow-step-started")),
      30_000,
    );
    await agent.stop();
    const d = await db.deployment.findUniqueOrThrow({ where: { id } }).then((d) => (d.status === "FAILED" ? d : settle(id, 10_000)));
    expect([d.status, d.error]).toEqual(["FAILED", "The host's agent was stopped during the deployment; nothing was switched."]);
    await expect(docker.getImage(d.imageTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    agent = await startTestAgent();
    await waitFor(
      () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
      (h) => h.status === "ONLINE",
    );
  }, 60_000);

  it("fails a deployment whose agent dies when its lease expires, and the restarted agent cleans up", async () => {
    const s = await gitService("staging", "orphan", { gitBranch: "slow" });
    const { id } = await deployFromGit(ctx, s.serviceId);
    await waitFor(
      () => deploymentLog(ctx, id),
      (l) => l.lines.some((x) => x.line.includes("slow-step-started")),
      30_000,
    );
    // A candidate left behind by a "previous run" of this host's agent.
    const leftover = await docker.createContainer({
      Image: FIXTURE_IMAGE,
      name: `berth-leftover-${uniq()}-next-abc`,
      Cmd: ["sleep", "300"],
      Labels: { "berth.deployment.id": "old", "berth.host.id": hostId, "berth.test": "1" },
    });
    await agent.stop({ goodbye: false, crash: true });
    const d = await settle(id, 20_000);
    expect(d.status).toBe("FAILED");
    expect(d.error).toMatch(/stopped reporting/);
    agent = await startTestAgent();
    await expect(leftover.inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await proxyGet(staging.hostname)).toMatchObject({ status: 200 });
  }, 90_000);
});

describe("input that tries to inject", () => {
  it("is refused by the API when a service is saved, naming the field", async () => {
    for (const gitUrl of BAD_URLS) {
      const e = await createGitService(ctx, projectSlug, "staging", { name: uniq("inj"), gitUrl, gitBranch: "main", httpPort: "8080", hostId }).catch((e) => e);
      expect(e, gitUrl).toBeInstanceOf(ValidationError);
      expect(Object.keys(e.fields)).toEqual(["gitUrl"]);
    }
    for (const gitBranch of BAD_REFS) {
      const e = await createGitService(ctx, projectSlug, "staging", { name: uniq("inj"), gitUrl: repo.url, gitBranch, httpPort: "8080", hostId }).catch(
        (e) => e,
      );
      expect(e, gitBranch).toBeInstanceOf(ValidationError);
      expect(Object.keys(e.fields)).toEqual(["gitBranch"]);
    }
    expect(await db.service.count({ where: { name: { startsWith: "inj-" }, environment: { project: { teamId: ctx.team.id } } } })).toBe(0);
  });

  it("is refused again by the agent, even inside a correctly sealed spec", async () => {
    // Bypass the API: a stored service whose URL was tampered with in the database.
    const s = await gitService("staging", "tampered");
    await db.service.update({ where: { id: s.serviceId }, data: { gitUrl: "ext::sh -c touch% /tmp/pwned" } });
    const d = await settle((await deployFromGit(ctx, s.serviceId)).id);
    expect(d.status).toBe("FAILED");
    expect(d.error).toMatch(/Refused repository URL/);
    await db.service.update({ where: { id: s.serviceId }, data: { gitUrl: repo.url, gitBranch: "main..evil" } });
    const d2 = await settle((await deployFromGit(ctx, s.serviceId)).id);
    expect(d2.error).toMatch(/Refused branch/);
  }, 60_000);
});

describe("secrets in the log", () => {
  it("are masked in the log and the error of a deployment whose container prints them", async () => {
    await repo.commit({ Dockerfile: `FROM ${FIXTURE_IMAGE}\nCMD ["sh", "-c", "echo starting with key $API_KEY; exit 1"]\n` }, "leaky", "leaky");
    const s = await gitService("staging", "leaky", { gitBranch: "leaky" });
    const secret = `sk-live-${uniq()}`;
    await setVariable(ctx, { scope: "SERVICE", serviceId: s.serviceId }, { key: "API_KEY", value: secret, secret: true });
    const d = await settle((await deployFromGit(ctx, s.serviceId)).id);
    expect(d.status).toBe("FAILED");
    // Seen at once (no address), or during the health check (its restart policy brought it back meanwhile).
    expect(d.error).toMatch(/stopped right after it started \(exit code 1\)|stopped before it passed its health check/);
    expect(d.error).toContain("starting with key ••••••");
    expect(d.log).toContain("starting with key ••••••");
    expect(`${d.error}${d.log}`).not.toContain(secret);
    const streamed = await deploymentLog(ctx, d.id);
    expect(streamed.lines.map((l) => l.line).join("\n")).not.toContain(secret);
    expect(d.config).not.toContain(secret); // sealed
  }, 60_000);
});

describe("the host's deploy settings", () => {
  it("routes services under the host's base domain and their custom domains from their next deployment; only admins change the host's", async () => {
    const dev = await addMember(ctx, "DEVELOPER");
    await expect(updateHostDeploySettings(dev, hostId, { baseDomain: "apps.test", buildConcurrency: "2" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(updateHostDeploySettings(ctx, hostId, { baseDomain: "-bad-", buildConcurrency: "0" })).rejects.toMatchObject({
      fields: { baseDomain: expect.any(Array), buildConcurrency: expect.any(Array) },
    });
    await updateHostDeploySettings(ctx, hostId, { baseDomain: "Apps.Test", buildConcurrency: "2" });
    await updateGitService(ctx, staging.serviceId, {
      gitUrl: repo.url,
      gitBranch: "main",
      httpPort: "8080",
      healthPath: "/",
      hostId,
      domains: "Shop.Example.Test www.shop.example.test",
    });
    const d = await settle((await deployFromGit(ctx, staging.serviceId)).id);
    expect(d.status).toBe("LIVE");
    for (const name of [`web.staging.${projectSlug}.apps.test`, "shop.example.test", "www.shop.example.test"])
      expect((await proxyGet(name)).status, name).toBe(200);
    await expect(
      updateGitService(ctx, staging.serviceId, { gitUrl: repo.url, gitBranch: "main", httpPort: "8080", hostId, domains: "ok.example.test not_a_domain!" }),
    ).rejects.toMatchObject({ fields: { domains: [expect.stringContaining("not_a_domain!")] } });
    await updateGitService(ctx, staging.serviceId, { gitUrl: repo.url, gitBranch: "main", httpPort: "8080", healthPath: "/", hostId });
    await updateHostDeploySettings(ctx, hostId, { baseDomain: "localhost", buildConcurrency: "2" });
  }, 60_000);
});

describe("deleting a git service", () => {
  it("removes its containers, its proxy route and its release images from the host", async () => {
    const s = await gitService("staging", "doomed");
    const d = await settle((await deployFromGit(ctx, s.serviceId)).id);
    expect(d.status).toBe("LIVE");
    expect((await proxyGet(s.hostname)).status).toBe(200);
    await deleteService(ctx, s.serviceId);
    expect(await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${s.serviceId}`] } })).toEqual([]);
    expect(await proxyGet(s.hostname)).toMatchObject({ status: 404 });
    await expect(docker.getImage(d.imageTag!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await db.deployment.count({ where: { serviceId: s.serviceId } })).toBe(0);
  }, 60_000);
});

describe("the data gate", () => {
  it("viewers cannot deploy, and developers cannot deploy to a protected environment", async () => {
    const viewer = await addMember(ctx, "VIEWER");
    const dev = await addMember(ctx, "DEVELOPER");
    await expect(deployFromGit(viewer, staging.serviceId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(cancelDeployment(viewer, releases[0]!)).rejects.toBeInstanceOf(ForbiddenError);
    const prod = await db.service.findFirstOrThrow({ where: { name: "web", environment: { slug: "production", project: { slug: projectSlug } } } });
    await expect(deployFromGit(dev, prod.id)).rejects.toThrow(/protected/);
    const release = await db.deployment.findFirstOrThrow({ where: { serviceId: staging.serviceId, status: "LIVE", imagePrunedAt: null } });
    await expect(promoteRelease(dev, release.id, prod.environmentId)).rejects.toThrow(/protected/);
    await expect(revealWebhookSecret(viewer, staging.serviceId)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await getDeployment(viewer, releases[0]!)).number).toBe(1); // reading is fine
  });

  it("another team sees none of it", async () => {
    const other = await makeTeam();
    await expect(getDeployment(other, releases[0]!)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deploymentLog(other, releases[0]!)).rejects.toBeInstanceOf(NotFoundError);
    await expect(rollbackTo(other, releases[0]!)).rejects.toBeInstanceOf(NotFoundError);
    await expect(cancelDeployment(other, releases[0]!)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deployFromGit(other, staging.serviceId)).rejects.toBeInstanceOf(NotFoundError);
  });
});
