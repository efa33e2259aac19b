// Notification deliveries end to end: deployments that fail or go live (through the real status transition)
// queue deliveries in the same transaction, and a real control worker process sends them to a local HTTP
// receiver, which checks every webhook with the standardwebhooks package (an independent implementation
// of the signatures). Retries after a 500 and after a timeout keep the webhook-id; a worker SIGKILLed
// while a delivery waits for its retry, and two workers started after it, send it exactly once more.
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployImage, expireLeases } from "@/lib/data/deployments";
import { LEASE_EXPIRED } from "@/lib/data/deployments/lease";
import { applyDeploymentReport } from "@/lib/data/deployments/report";
import { createHost, removeHost } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { env } from "@/lib/env";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import type { NotificationEvent } from "@/lib/notify/events";
import type { NotificationMessage } from "@/lib/data/notifications/message";
import { postJson } from "@/lib/notify/http-post";
import { notify } from "@/lib/data/notifications/notify";
import { queueTestDelivery, resendDelivery } from "@/lib/data/notifications/queue";
import { newSigningSecret, sealChannelUrl, sealSigningSecret } from "@/lib/notify/secrets";
import { closeAdminRedis } from "@/lib/redis/admin";
import { FIXTURE_IMAGE } from "../support/fixture-image";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const TIMEOUT_MS = 1500;
// First retry 2 s after the first failure: time to kill the worker while a delivery waits for it.
const RETRY_MS = "2000,500,500,500";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- The receiver -------------------------------------------------------------------------------------
type Received = { path: string; headers: Record<string, string>; body: string; verified: boolean };
type Answer = "ok" | "fail" | "hang" | "gone" | "redirect";
const received: Received[] = [];
const secrets = new Map<string, string>(); // path → the channel's signing secret
const answers = new Map<string, (nth: number) => Answer>(); // path → what to answer its nth request
const hanging: http.ServerResponse[] = [];
let server: http.Server;
let base: string;

function verify(secret: string | undefined, body: string, headers: Record<string, string>): boolean {
  if (!secret) return false;
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

const requestsTo = (p: string) => received.filter((r) => r.path === p);

// --- The control worker processes ----------------------------------------------------------------------
const workers: { child: ChildProcess; output: string }[] = [];
function startWorker() {
  const w = { child: null as unknown as ChildProcess, output: "" };
  w.child = spawn(path.join(process.cwd(), "node_modules/.bin/tsx"), ["workers/control.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, BERTH_NOTIFY_RETRY_MS: RETRY_MS, BERTH_NOTIFY_TIMEOUT_MS: String(TIMEOUT_MS), BERTH_NOTIFY_POLL_MS: "200" },
    detached: true, // its own process group, so SIGKILL reaches tsx's node child too
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const s of [w.child.stdout, w.child.stderr]) s?.on("data", (d) => (w.output += d));
  workers.push(w);
  return w;
}
function kill(w: { child: ChildProcess }, sig: NodeJS.Signals = "SIGKILL") {
  try {
    process.kill(-w.child.pid!, sig);
  } catch {
    /* gone already */
  }
}
const exited = (w: { child: ChildProcess }) =>
  new Promise<void>((resolve) => (w.child.exitCode !== null || w.child.signalCode !== null ? resolve() : w.child.once("exit", () => resolve())));

// --- Test data -------------------------------------------------------------------------------------------
let ctx: TeamContext;
let hostId: string;
const channels: string[] = [];

async function makeChannel(
  team: TeamContext,
  kind: "webhook" | "slack" | "email",
  opts: { path?: string; url?: string; allowPrivateNetworks?: boolean; emails?: string[]; enabled?: boolean } = {},
) {
  const c = await db.notificationChannel.create({
    data: {
      teamId: team.team.id,
      name: uniq(kind),
      kind,
      emails: opts.emails ?? [],
      allowPrivateNetworks: opts.allowPrivateNetworks ?? true,
      enabled: opts.enabled ?? true,
    },
  });
  channels.push(c.id);
  if (kind === "email") return { id: c.id, path: "" };
  const p = opts.path ?? `/${uniq("hook")}`;
  const url = opts.url ?? `${base}${p}`;
  const secret = kind === "webhook" ? newSigningSecret() : null;
  if (secret) secrets.set(p, secret);
  await db.notificationChannel.update({
    where: { id: c.id },
    data: { urlSealed: sealChannelUrl(c.id, url), urlLabel: new URL(url).origin, signingSecret: secret ? sealSigningSecret(c.id, secret) : null },
  });
  return { id: c.id, path: p };
}

function makeRule(team: TeamContext, channelId: string, events: NotificationEvent[], where: { projectId?: string; environmentId?: string } = {}) {
  return db.notificationRule.create({
    data: { teamId: team.team.id, channelId, events, projectId: where.projectId ?? null, environmentId: where.environmentId ?? null },
  });
}

/** A project with a service on the test host and a queued deployment of it (the host is offline: it waits). */
async function queuedDeployment(team: TeamContext, host: string) {
  const project = await createProject(team, { name: uniq("shop") });
  const { env: production } = await getEnvironment(team, project.slug, "production");
  const service = await db.service.create({
    data: { environmentId: production.id, name: uniq("web"), image: FIXTURE_IMAGE, command: [], ports: [], volumes: [], hostId: host },
  });
  const deployment = await deployImage(team, service.id);
  return { project, environment: production, service, deployment };
}

const report = (deploymentId: string, status: "HEALTH_CHECK" | "LIVE" | "FAILED", error?: string) =>
  applyDeploymentReport(hostId, { type: "deployment", at: new Date().toISOString(), deploymentId, status, ...(error ? { error } : {}) });

const deliveriesOf = (channelId: string) => db.notificationDelivery.findMany({ where: { channelId }, orderBy: { createdAt: "asc" } });
const delivery = (id: string) => db.notificationDelivery.findUniqueOrThrow({ where: { id } });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const p = req.url ?? "/";
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      received.push({ path: p, headers, body, verified: verify(secrets.get(p), body, headers) });
      const answer = answers.get(p)?.(requestsTo(p).length) ?? "ok";
      if (answer === "hang") return void hanging.push(res);
      if (answer === "redirect") return void res.writeHead(302, { location: `${p}/moved` }).end();
      res.writeHead(answer === "ok" ? 200 : answer === "gone" ? 410 : 500, { "content-type": "text/plain" });
      res.end(answer === "ok" ? "thanks" : `no: ${"x".repeat(5000)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx = await makeTeam();
  hostId = (await createHost(ctx, { name: uniq("edge") })).id;
  startWorker();
}, 60_000);

afterAll(async () => {
  for (const w of workers) kill(w);
  // Nothing of this file's is left for later control workers to send to a receiver that is gone.
  await db.notificationDelivery.deleteMany({ where: { channelId: { in: channels }, status: "PENDING" } });
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
}, 30_000);

describe("notification deliveries", () => {
  it("a failed deployment sends one signed webhook naming everything, with a link to it", async () => {
    const ch = await makeChannel(ctx, "webhook");
    await makeRule(ctx, ch.id, ["deployment.failed"]);
    await makeRule(ctx, ch.id, ["deployment.failed", "deployment.succeeded"]); // a second rule on the same channel
    const d = await queuedDeployment(ctx, hostId);
    expect(await report(d.deployment.id, "FAILED", "exit 1: listen EADDRINUSE")).not.toBeNull();
    expect(await report(d.deployment.id, "FAILED", "again")).toBeNull(); // a repeated report moves nothing

    const rows = await deliveriesOf(ch.id);
    expect(rows.map((r) => [r.event, r.eventKey])).toEqual([["deployment.failed", `deployment:${d.deployment.id}:failed`]]);
    const done = await waitFor(
      () => delivery(rows[0]!.id),
      (r) => r.status === "DELIVERED",
    );
    expect(done.status, workers.map((w) => w.output).join("\n")).toBe("DELIVERED");
    expect(done.responseStatus).toBe(200);
    expect(done.responseBody).toBe("thanks");

    const got = requestsTo(ch.path);
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
    expect(got[0]!.headers["webhook-id"]).toBe(done.id);
    expect(got[0]!.headers["content-type"]).toBe("application/json");
    const sent = JSON.parse(got[0]!.body) as { type: string; timestamp: string; data: NotificationMessage };
    expect(sent.type).toBe("deployment.failed");
    const m = sent.data;
    expect(m.team.name).toBe(ctx.team.name);
    expect(m.project?.name).toBe(d.project.name);
    expect(m.environment?.name).toBe("production");
    expect(m.service?.name).toBe(d.service.name);
    expect(m.host?.id).toBe(hostId);
    expect(m.deployment?.number).toBe(d.deployment.number);
    expect(m.detail).toBe("exit 1: listen EADDRINUSE");
    expect(m.url).toBe(`${env.appUrl}/t/${ctx.team.slug}/deployments/${d.deployment.id}`);

    // What the receiver's check refuses: the body altered, or a request signed with another secret.
    const wh = new Webhook(secrets.get(ch.path)!);
    expect(() => wh.verify(got[0]!.body.replace("deployment.failed", "deployment.succeeded"), got[0]!.headers)).toThrow();
    const forged = new Webhook(newSigningSecret());
    const ts = new Date();
    const forgedHeaders = {
      "webhook-id": done.id,
      "webhook-timestamp": String(Math.floor(ts.getTime() / 1000)),
      "webhook-signature": forged.sign(done.id, ts, got[0]!.body),
    };
    expect(verify(secrets.get(ch.path), got[0]!.body, forgedHeaders)).toBe(false);
  });

  it("a deployment that goes live sends deployment.succeeded with its commit", async () => {
    const ch = await makeChannel(ctx, "webhook");
    await makeRule(ctx, ch.id, ["deployment.succeeded"]);
    const d = await queuedDeployment(ctx, hostId);
    await db.deployment.update({ where: { id: d.deployment.id }, data: { commitSha: "a".repeat(40), commitMessage: "Fix the checkout\n\nlong text" } });
    await report(d.deployment.id, "HEALTH_CHECK");
    expect(await deliveriesOf(ch.id)).toHaveLength(0);
    await report(d.deployment.id, "LIVE");
    const [row] = await deliveriesOf(ch.id);
    expect(row?.eventKey).toBe(`deployment:${d.deployment.id}:succeeded`);
    await waitFor(
      () => delivery(row!.id),
      (r) => r.status === "DELIVERED",
    );
    const m = (JSON.parse(requestsTo(ch.path)[0]!.body) as { data: NotificationMessage }).data;
    expect(m.deployment).toMatchObject({ commitSha: "a".repeat(40), commitMessage: "Fix the checkout long text" });
    expect(requestsTo(ch.path)[0]!.verified).toBe(true);
  });

  it("a deployment whose lease ran out, or whose host was removed, fails with one notification each", async () => {
    const team = await makeTeam();
    const host = (await createHost(team, { name: uniq("edge") })).id;
    const ch = await makeChannel(team, "webhook");
    await makeRule(team, ch.id, ["deployment.failed"]);
    const leased = await queuedDeployment(team, host);
    await db.deployment.update({
      where: { id: leased.deployment.id },
      data: { status: "BUILDING", dispatchedAt: new Date(), leaseExpiresAt: new Date(Date.now() - 1000) },
    });
    await expireLeases(); // the control worker's pass may have ended it first: either way, once
    await expireLeases();
    const removed = await queuedDeployment(team, host);
    await removeHost(team, host);
    const rows = await waitFor(
      () => deliveriesOf(ch.id),
      (r) => r.length === 2,
    );
    const byKey = new Map(rows.map((r) => [r.eventKey, r.payload as unknown as NotificationMessage]));
    expect([...byKey.keys()].sort()).toEqual([`deployment:${leased.deployment.id}:failed`, `deployment:${removed.deployment.id}:failed`].sort());
    expect(byKey.get(`deployment:${leased.deployment.id}:failed`)!.detail).toBe(LEASE_EXPIRED);
    const gone = byKey.get(`deployment:${removed.deployment.id}:failed`)!;
    expect(gone.detail).toMatch(/^The host edge-\w+ was removed\.$/);
    expect(gone.host?.id).toBe(host); // named as it was when it happened
  });

  it("routes per project and environment: a rule for project A says nothing about project B", async () => {
    const team = await makeTeam();
    const host = (await createHost(team, { name: uniq("edge") })).id;
    const a = await queuedDeployment(team, host);
    const b = await queuedDeployment(team, host);
    const forA = await makeChannel(team, "webhook");
    await makeRule(team, forA.id, ["deployment.failed"], { projectId: a.project.id });
    const forAStaging = await makeChannel(team, "webhook");
    const { env: staging } = await getEnvironment(team, a.project.slug, "staging");
    await makeRule(team, forAStaging.id, ["deployment.failed"], { projectId: a.project.id, environmentId: staging.id });
    const all = await makeChannel(team, "webhook");
    const ruleOfAll = await makeRule(team, all.id, ["deployment.failed"]);
    const off = await makeChannel(team, "webhook", { enabled: false });
    await makeRule(team, off.id, ["deployment.failed"]);
    const otherTeam = await makeTeam();
    const theirs = await makeChannel(otherTeam, "webhook");
    await makeRule(otherTeam, theirs.id, ["deployment.failed", "deployment.succeeded"]);

    for (const d of [a, b])
      await applyDeploymentReport(host, { type: "deployment", at: new Date().toISOString(), deploymentId: d.deployment.id, status: "FAILED" });

    expect((await deliveriesOf(forA.id)).map((r) => r.eventKey)).toEqual([`deployment:${a.deployment.id}:failed`]);
    expect((await deliveriesOf(all.id)).map((r) => r.eventKey).sort()).toEqual(
      [`deployment:${a.deployment.id}:failed`, `deployment:${b.deployment.id}:failed`].sort(),
    );
    expect(await deliveriesOf(forAStaging.id)).toHaveLength(0); // A's production, not its staging
    expect(await deliveriesOf(off.id)).toHaveLength(0);
    expect(await deliveriesOf(theirs.id)).toHaveLength(0);

    // The same happening again queues nothing more; with ruleIds only those rules are asked.
    const again = await db.$transaction((tx) =>
      notify(tx, { teamId: team.team.id, event: "deployment.failed", key: `deployment:${a.deployment.id}:failed`, deploymentId: a.deployment.id }),
    );
    expect(again).toBe(0);
    const key = uniq("only");
    const only = await db.$transaction((tx) =>
      notify(tx, { teamId: team.team.id, event: "deployment.failed", key, deploymentId: a.deployment.id, ruleIds: [ruleOfAll.id] }),
    );
    expect(only).toBe(1);
    expect(await db.notificationDelivery.findMany({ where: { eventKey: key }, select: { channelId: true } })).toEqual([{ channelId: all.id }]);
    // Facts naming another team's deployment resolve nothing of it, so a project-limited rule does not match.
    const foreign = await db.$transaction((tx) =>
      notify(tx, { teamId: otherTeam.team.id, event: "deployment.failed", key: uniq("k"), deploymentId: a.deployment.id }),
    );
    expect(foreign).toBe(1); // theirs (unrouted) hears of a failure in its own team...
    const [fromForeign] = (await deliveriesOf(theirs.id)).filter((r) => r.event === "deployment.failed");
    const payload = fromForeign!.payload as unknown as NotificationMessage;
    expect([payload.project, payload.service, payload.deployment]).toEqual([null, null, null]); // ...but no name of ours
  });

  it("retries after a 500 and delivers with the same webhook-id", async () => {
    const ch = await makeChannel(ctx, "webhook");
    answers.set(ch.path, (n) => (n === 1 ? "fail" : "ok"));
    const id = await db.$transaction((tx) => queueTestDelivery(tx, { id: ch.id, teamId: ctx.team.id }));
    const failed = await waitFor(
      () => delivery(id),
      (r) => r.attempts >= 1 && r.lockedUntil === null,
    );
    expect(failed.status).toBe("PENDING");
    expect(failed.responseStatus).toBe(500);
    expect(failed.error).toBe("answered 500");
    expect(failed.responseBody?.length).toBe(1024); // the first KB of the answer
    const done = await waitFor(
      () => delivery(id),
      (r) => r.status === "DELIVERED",
    );
    expect(done.status).toBe("DELIVERED");
    expect(done.attempts).toBe(2);
    const got = requestsTo(ch.path);
    expect(got.map((r) => r.headers["webhook-id"])).toEqual([id, id]);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(JSON.parse(got[1]!.body).type).toBe("test");
  });

  it("times out a receiver that never answers and tries again", async () => {
    const ch = await makeChannel(ctx, "webhook");
    answers.set(ch.path, (n) => (n <= 2 ? "hang" : "ok"));
    const id = await db.$transaction((tx) => queueTestDelivery(tx, { id: ch.id, teamId: ctx.team.id }));
    const waiting = await waitFor(
      () => delivery(id),
      (r) => r.attempts >= 1 && r.lockedUntil === null,
    );
    expect(waiting.status).toBe("PENDING");
    expect(waiting.error).toBe(`no answer within ${TIMEOUT_MS / 1000} s`);
    expect(waiting.responseStatus).toBeNull();
    const done = await waitFor(
      () => delivery(id),
      (r) => r.status === "DELIVERED",
      30_000,
    );
    expect(done.status).toBe("DELIVERED");
    expect(done.attempts).toBe(3);
    expect(requestsTo(ch.path).map((r) => r.headers["webhook-id"])).toEqual([id, id, id]);
  });

  it("sends exactly once more after the worker is SIGKILLed while a delivery waits for its retry", async () => {
    const ch = await makeChannel(ctx, "webhook");
    answers.set(ch.path, (n) => (n === 1 ? "fail" : "ok"));
    const id = await db.$transaction((tx) => queueTestDelivery(tx, { id: ch.id, teamId: ctx.team.id }));
    const waiting = await waitFor(
      () => delivery(id),
      (r) => r.attempts === 1 && r.lockedUntil === null,
      15_000,
      20,
    );
    expect(waiting.status).toBe("PENDING");
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(Date.now()); // still waiting for its retry
    for (const w of workers) kill(w);
    await Promise.all(workers.map(exited));
    // Two fresh workers race for the retry.
    startWorker();
    startWorker();
    const done = await waitFor(
      () => delivery(id),
      (r) => r.status === "DELIVERED",
      30_000,
    );
    expect(done.status, workers.map((w) => w.output).join("\n")).toBe("DELIVERED");
    await sleep(2000); // ten more claiming passes of each worker
    expect(requestsTo(ch.path).map((r) => [r.headers["webhook-id"], r.verified])).toEqual([
      [id, true],
      [id, true],
    ]);
    expect((await delivery(id)).attempts).toBe(2);
  });

  it("refuses a private address the admin did not allow, and sends nothing", async () => {
    const ch = await makeChannel(ctx, "webhook", { allowPrivateNetworks: false });
    const id = await db.$transaction((tx) => queueTestDelivery(tx, { id: ch.id, teamId: ctx.team.id }));
    const done = await waitFor(
      () => delivery(id),
      (r) => r.status !== "PENDING",
    );
    expect(done.status).toBe("FAILED");
    expect(done.attempts).toBe(1);
    expect(done.error).toMatch(/^Refused address: 127\.0\.0\.1 is .*loopback.*this channel does not reach private networks.*nothing was sent$/);
    expect(requestsTo(ch.path)).toHaveLength(0);
  });

  it("gives up at once on a 410, and sends again on resend with a fresh schedule", async () => {
    const ch = await makeChannel(ctx, "webhook");
    answers.set(ch.path, (n) => (n === 1 ? "gone" : "ok"));
    const id = await db.$transaction((tx) => queueTestDelivery(tx, { id: ch.id, teamId: ctx.team.id }));
    const failed = await waitFor(
      () => delivery(id),
      (r) => r.status !== "PENDING",
    );
    expect(failed.status).toBe("FAILED");
    expect(failed.responseStatus).toBe(410);
    expect(failed.error).toMatch(/^answered 410: not tried again/);
    expect(await db.$transaction((tx) => resendDelivery(tx, id))).toBe(true);
    const done = await waitFor(
      () => delivery(id),
      (r) => r.status === "DELIVERED",
    );
    expect(done.status).toBe("DELIVERED");
    expect(done.attempts).toBe(1);
    expect(requestsTo(ch.path).map((r) => r.headers["webhook-id"])).toEqual([id, id]);
    expect(await db.$transaction((tx) => resendDelivery(tx, "no-such-delivery"))).toBe(false);
  });

  it("sends nothing more through a channel once it is disabled, but still its test", async () => {
    const ch = await makeChannel(ctx, "webhook", { enabled: false });
    const queued = await db.notificationDelivery.create({
      data: { teamId: ctx.team.id, channelId: ch.id, event: "deployment.failed", eventKey: uniq("k"), payload: { title: "queued before it was disabled" } },
    });
    const test = await db.$transaction((tx) => queueTestDelivery(tx, { id: ch.id, teamId: ctx.team.id }));
    const stopped = await waitFor(
      () => delivery(queued.id),
      (r) => r.status !== "PENDING",
    );
    expect(stopped.status).toBe("FAILED");
    expect(stopped.error).toBe("the channel is disabled; nothing was sent");
    expect(
      (
        await waitFor(
          () => delivery(test),
          (r) => r.status !== "PENDING",
        )
      ).status,
    ).toBe("DELIVERED");
    expect(requestsTo(ch.path).map((r) => r.headers["webhook-id"])).toEqual([test]);
  });

  it("posts Slack's incoming-webhook body, unsigned", async () => {
    const ch = await makeChannel(ctx, "slack");
    await makeRule(ctx, ch.id, ["deployment.failed"]);
    const d = await queuedDeployment(ctx, hostId);
    await report(d.deployment.id, "FAILED", "health check <failed> & gave up");
    const [row] = await deliveriesOf(ch.id);
    await waitFor(
      () => delivery(row!.id),
      (r) => r.status === "DELIVERED",
    );
    const [got] = requestsTo(ch.path);
    expect(got!.headers["webhook-signature"]).toBeUndefined();
    const body = JSON.parse(got!.body) as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(body.text).toBe(`Deployment failed: ${d.service.name} in ${d.project.name} / production: health check &lt;failed&gt; &amp; gave up`);
    expect(body.blocks[0]!.text!.text).toContain(`<${env.appUrl}/t/${ctx.team.slug}/deployments/${d.deployment.id}|Deployment failed`);
    expect(body.blocks[1]!.elements![0]!.text).toContain(`Project: *${d.project.name}*`);
  });

  it("emails each recipient through the team's outbox", async () => {
    const to = [`${uniq("ops")}@example.test`, `${uniq("dev")}@example.test`];
    const ch = await makeChannel(ctx, "email", { emails: to });
    await makeRule(ctx, ch.id, ["deployment.failed"]);
    const d = await queuedDeployment(ctx, hostId);
    await report(d.deployment.id, "FAILED", "exit 137");
    const [row] = await deliveriesOf(ch.id);
    const done = await waitFor(
      () => delivery(row!.id),
      (r) => r.status === "DELIVERED",
    );
    expect(done.status).toBe("DELIVERED");
    const mails = await waitFor(
      () => db.outboxEmail.findMany({ where: { teamId: ctx.team.id, to: { in: to } } }),
      (m) => m.length === 2 && m.every((e) => e.status === "DELIVERED"),
    );
    expect(mails.map((m) => m.to).sort()).toEqual([...to].sort());
    for (const m of mails) {
      expect(m.subject).toBe(`[Berth] Deployment failed: ${d.service.name} in ${d.project.name} / production`);
      expect(m.body).toContain("exit 137");
      expect(m.body).toContain(`Open in Berth: ${env.appUrl}/t/${ctx.team.slug}/deployments/${d.deployment.id}`);
    }
  });
});

describe("the sender's HTTP request", () => {
  it("on SIGTERM, finishes the send in flight and records it before the worker exits", async () => {
    const ch = await makeChannel(ctx, "webhook");
    answers.set(ch.path, () => "hang");
    const id = await db.$transaction((tx) => queueTestDelivery(tx, { id: ch.id, teamId: ctx.team.id }));
    await waitFor(
      async () => requestsTo(ch.path).length,
      (n) => n === 1,
    );
    const sender = await waitFor(
      () => delivery(id),
      (r) => r.lockedUntil !== null,
    );
    expect(sender.attempts).toBe(1);
    const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    for (const w of live) kill(w, "SIGTERM");
    await Promise.all(live.map(exited));
    expect(live.map((w) => w.child.exitCode)).toEqual(live.map(() => 0));
    const after = await delivery(id);
    expect(after.lockedUntil).toBeNull(); // not left claimed for a minute
    expect(after.error).toBe(`no answer within ${TIMEOUT_MS / 1000} s`);
    await db.notificationDelivery.delete({ where: { id } });
    startWorker();
  });

  it("connects to the address the outbound check approved, not to a second DNS answer", async () => {
    const p = `/${uniq("pinned")}`;
    const port = (server.address() as AddressInfo).port;
    let asked = 0;
    // The check's resolver: hooks.example.test is 127.0.0.1 (which the system resolver does not know).
    const lookup = async (host: string) => {
      asked++;
      return host === "hooks.example.test" ? ["127.0.0.1"] : [];
    };
    const r = await postJson(`http://hooks.example.test:${port}${p}`, "{}", {}, { allowPrivateNetworks: true }, { timeoutMs: 5000, lookup });
    expect(r).toEqual({ kind: "answered", status: 200, body: "thanks", location: null });
    expect(asked).toBe(1);
    expect(requestsTo(p).map((q) => q.headers.host)).toEqual([`hooks.example.test:${port}`]);

    const metadata = async () => ["169.254.169.254"];
    const refused = await postJson(`http://hooks.example.test:${port}${p}`, "{}", {}, { allowPrivateNetworks: true }, { timeoutMs: 5000, lookup: metadata });
    expect(refused.kind).toBe("refused");
    expect(requestsTo(p)).toHaveLength(1);
  });

  it("does not follow a redirect, and tries the delivery again later", async () => {
    const ch = await makeChannel(ctx, "webhook");
    answers.set(ch.path, () => "redirect");
    const id = await db.$transaction((tx) => queueTestDelivery(tx, { id: ch.id, teamId: ctx.team.id }));
    const waiting = await waitFor(
      () => delivery(id),
      (r) => r.attempts >= 1 && r.lockedUntil === null,
    );
    expect(waiting.status).toBe("PENDING");
    expect(waiting.responseStatus).toBe(302);
    expect(waiting.error).toBe(`redirected to ${ch.path}/moved; Berth does not follow redirects`);
    expect(requestsTo(`${ch.path}/moved`)).toHaveLength(0);
    await db.notificationDelivery.delete({ where: { id } });
  });

  it("reads at most 64 KB of an answer and keeps its first KB", async () => {
    const big = http.createServer((_req, res) => {
      res.on("error", () => {}); // the sender hangs up mid-answer
      res.writeHead(200);
      const chunk = "y".repeat(16 * 1024);
      const more = () => {
        while (res.write(chunk)) {}
        res.once("drain", more);
      };
      more(); // endless: only the sender's limit ends it
    });
    await new Promise<void>((resolve) => big.listen(0, "127.0.0.1", resolve));
    try {
      const r = await postJson(`http://127.0.0.1:${(big.address() as AddressInfo).port}/`, "{}", {}, { allowPrivateNetworks: true }, { timeoutMs: 10_000 });
      expect(r.kind).toBe("answered");
      if (r.kind === "answered") expect(r.body.length).toBe(64 * 1024);
    } finally {
      big.closeAllConnections();
      await new Promise((r) => big.close(r));
    }
  });
});
