// Deployment logs pushed, not polled, against the real PostgreSQL and Redis: the log stream as the API serves it,
// read with the CLI's own SSE parser. A running deployment's lines are appended to its Redis stream as its agent
// does; its steps and end are applied as the control worker does (applyDeploymentReport, then publishLive).
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { readSse, type SseEvent } from "@/cli/sse";
import { deploymentLogStream } from "@/lib/api/streams/deployment-log";
import type { TeamContext } from "@/lib/data/context";
import { applyDeploymentReport } from "@/lib/data/deployments/report";
import { removeHost } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { createService } from "@/lib/data/services";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { deploymentLogKey } from "@/lib/hosts/deployment-spec";
import type { DeploymentReport } from "@/lib/hosts/protocol";
import { teamChannel } from "@/lib/live/channels";
import { closeLogTail, logTailKeys } from "@/lib/live/log-tail";
import { publishLive } from "@/lib/live/publish";
import { closeLiveSubscriber } from "@/lib/live/subscribe";
import { closeAdminRedis } from "@/lib/redis/admin";
import { monitorRedis } from "./support/redis-monitor";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
const streams: AbortController[] = [];

afterAll(async () => {
  for (const s of streams) s.abort();
  await closeLogTail();
  await closeLiveSubscriber();
  await closeAdminRedis();
  redis.disconnect();
});

/** A team with a host and a service, and a deployment of it running on the host (PULLING). */
async function running(ctx?: TeamContext) {
  const owner = ctx ?? (await makeTeam());
  const host = await db.host.create({ data: { teamId: owner.team.id, name: uniq("host"), tokenHash: randomBytes(32).toString("hex"), status: "ONLINE" } });
  const project = await createProject(owner, { name: uniq("Shop") });
  const service = await createService(owner, project.slug, "staging", { name: uniq("api"), image: "nginx:1.27" });
  await db.service.update({ where: { id: service.id }, data: { hostId: host.id } });
  const at = new Date().toISOString();
  const d = await db.deployment.create({
    data: {
      teamId: owner.team.id,
      serviceId: service.id,
      hostId: host.id,
      number: 1,
      status: "PULLING",
      steps: [
        { status: "QUEUED", at },
        { status: "PULLING", at },
      ],
      trigger: "manual",
      image: "nginx:1.27",
      actorEmail: owner.actor.email,
      dispatchedAt: new Date(),
    },
  });
  const key = deploymentLogKey(env.queuePrefix, host.id, d.id);
  return {
    ctx: owner,
    id: d.id,
    hostId: host.id,
    key,
    /** Lines written as the agent writes them. */
    append: async (...lines: string[]) => {
      for (const line of lines) await redis.xadd(key, "*", "line", line);
    },
    /** A step applied as the control worker applies it; told to the team unless `publish` is false. */
    step: async (status: DeploymentReport["status"], o: { publish?: boolean; error?: string } = {}) => {
      const out = await applyDeploymentReport(host.id, { type: "deployment", at: new Date().toISOString(), deploymentId: d.id, status, error: o.error });
      expect(out).not.toBeNull();
      if (o.publish !== false)
        await publishLive(redis, owner.team.id, { kind: "deployment", hostId: host.id, serviceId: service.id, deploymentId: d.id, status });
    },
    publish: () => publishLive(redis, owner.team.id, { kind: "deployment", hostId: host.id, serviceId: service.id }),
  };
}

type Viewer = { events: SseEvent[]; lines: () => string[]; ids: () => string[]; statuses: () => string[]; ended: () => boolean; close: () => void };

/** Opens the deployment's log stream as the API does and collects its events. */
async function view(ctx: TeamContext, id: string, after: string | null = null): Promise<Viewer> {
  const ac = new AbortController();
  streams.push(ac);
  const res = await deploymentLogStream(ctx, id, after, ac.signal);
  const events: SseEvent[] = [];
  void (async () => {
    for await (const ev of readSse(res)) events.push(ev);
  })().catch(() => {});
  const of = (kind: string) => events.filter((e) => e.event === kind);
  return {
    events,
    lines: () => of("message").map((e) => JSON.parse(e.data) as string),
    ids: () => of("message").map((e) => e.id!),
    statuses: () => of("status").map((e) => (JSON.parse(e.data) as { status: string }).status),
    ended: () => of("end").length > 0,
    close: () => ac.abort(),
  };
}

const until = (fn: () => boolean, ms = 10_000) => waitFor(async () => fn(), Boolean, ms, 20);
const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);
const connections = async (name: string) =>
  String(await redis.client("LIST"))
    .split("\n")
    .filter((l) => l.includes(` name=${name} `));
const tailConnections = () => connections(`berth-log-tail-${process.pid}`);
/** Cuts this process's connection of that name off, as a Redis restart or a network cut would. */
async function killConnection(name: string) {
  const [conn] = await connections(name);
  expect(conn).toBeDefined();
  await redis.client("KILL", "ID", /\bid=(\d+)/.exec(conn!)![1]!);
}

describe("a deployment's log, pushed", () => {
  it("gives two viewers of a running deployment every line once, in order, through one XREAD connection", async () => {
    const d = await running();
    await d.append(...numbered(1, 3));
    const a = await view(d.ctx, d.id);
    const b = await view(d.ctx, d.id);
    await until(() => a.lines().length >= 3 && b.lines().length >= 3);
    for (let i = 4; i <= 40; i += 4) await d.append(...numbered(i, i + 3));
    await until(() => a.lines().length >= 43 && b.lines().length >= 43);
    expect(a.lines()).toEqual(numbered(1, 43));
    expect(b.lines()).toEqual(numbered(1, 43));
    expect(a.statuses()).toEqual(["QUEUED", "PULLING"]);
    // One tail connection for the process, whatever the number of viewers and deployments followed.
    const other = await running(d.ctx);
    const c = await view(other.ctx, other.id);
    await other.append("other 1");
    await until(() => c.lines().length >= 1);
    expect(c.lines()).toEqual(["other 1"]);
    expect(logTailKeys()).toEqual(expect.arrayContaining([d.key, other.key]));
    const conns = await tailConnections();
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatch(/ cmd=xread /);
    for (const v of [a, b, c]) v.close();
    await until(() => !logTailKeys().includes(d.key) && !logTailKeys().includes(other.key));
  });

  it("lets a viewer join mid-stream or resume from its cursor without a line lost or twice, across the end and the log's move to Postgres", async () => {
    const d = await running();
    const first = await view(d.ctx, d.id);
    await d.append(...numbered(1, 10));
    await until(() => first.lines().length >= 10);
    // Lines keep arriving while a second viewer joins, and a third resumes from the first one's fifth line.
    const writing = (async () => {
      for (let i = 11; i <= 60; i++) await d.append(`line ${i}`);
    })();
    const joined = await view(d.ctx, d.id);
    const resumed = await view(d.ctx, d.id, first.ids()[4]!);
    await writing;
    await until(() => [first, joined, resumed].every((v) => v.lines().length >= (v === resumed ? 55 : 60)));
    expect(first.lines()).toEqual(numbered(1, 60));
    expect(joined.lines()).toEqual(numbered(1, 60));
    expect(resumed.lines()).toEqual(numbered(6, 60));
    // A last burst, then the end: the log is copied to Postgres and its Redis stream goes (before the message).
    await d.append(...numbered(61, 70));
    await d.step("FAILED", { publish: false, error: "it broke" });
    await redis.del(d.key);
    const late = await view(d.ctx, d.id, first.ids()[29]!); // line 30, its entry id from Redis, now read from Postgres
    await publishLive(redis, d.ctx.team.id, { kind: "deployment", hostId: "", deploymentId: d.id, status: "FAILED" });
    await until(() => [first, joined, resumed, late].every((v) => v.ended()));
    expect(first.lines()).toEqual(numbered(1, 70));
    expect(joined.lines()).toEqual(numbered(1, 70));
    expect(resumed.lines()).toEqual(numbered(6, 70));
    expect(late.lines()).toEqual(numbered(31, 70));
    const end = first.events.find((e) => e.event === "end")!;
    expect(JSON.parse(end.data)).toEqual({ status: "FAILED", error: "it broke" });
    expect(first.events.at(-1)).toBe(end);
    expect(first.statuses()).toEqual(["QUEUED", "PULLING", "FAILED"]);
    expect(JSON.parse(first.events.filter((e) => e.event === "status").at(-1)!.data)).toMatchObject({ status: "FAILED", error: "it broke" });
    // The ids stay the cursors they were: line numbers count on from Redis into Postgres.
    expect(first.ids().map((id) => Number(id.split(":")[0]))).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
    expect(late.ids()[0]).toMatch(/^31:/);
  });

  it("sends steps when the team's channel tells, and reads nothing while idle", async () => {
    const d = await running();
    const v = await view(d.ctx, d.id);
    await until(() => v.statuses().length === 2);
    const monitor = await monitorRedis(env.redisUrl);
    try {
      // A step written to Postgres but not told: a polling stream would show it; this one waits for the message.
      await d.step("STARTING", { publish: false });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(v.statuses()).toEqual(["QUEUED", "PULLING"]);
      expect(v.events.filter((e) => e.event !== "status")).toEqual([]);
      const logReads = monitor.lines.filter((l) => l.includes(d.key) && !/"xread"/i.test(l));
      expect(logReads).toEqual([]); // no XRANGE of its log: lines come from the tail's blocked read
      // A message for another deployment of the team changes nothing; one naming its service (no id) does.
      await publishLive(redis, d.ctx.team.id, { kind: "deployment", hostId: "", serviceId: "another", deploymentId: "another" });
      await d.publish();
      await until(() => v.statuses().length === 3);
      expect(v.statuses()).toEqual(["QUEUED", "PULLING", "STARTING"]);
      await d.step("HEALTH_CHECK");
      await until(() => v.statuses().length === 4);
      await d.append("healthy");
      await until(() => v.lines().length === 1);
      await d.step("FAILED", { error: "gave up" });
      await until(() => v.ended());
      expect(v.statuses()).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK", "FAILED"]);
      expect(v.lines()).toEqual(["healthy"]);
    } finally {
      monitor.stop();
    }
  });
});

describe("a deployment's log, ended by Berth itself", () => {
  it("ends at once when its host is removed (no agent will ever report it), not at the safety re-read", async () => {
    const d = await running();
    const v = await view(d.ctx, d.id);
    await until(() => v.statuses().length === 2);
    await removeHost(d.ctx, d.hostId);
    await until(() => v.ended(), 5_000);
    expect(v.statuses().at(-1)).toBe("FAILED");
  });
});

describe("the team's live subscription", () => {
  it("is one SUBSCRIBE per process and team however many streams are open, and goes with the last", async () => {
    const d = await running();
    const other = await running(d.ctx);
    const viewers = [await view(d.ctx, d.id), await view(d.ctx, d.id), await view(other.ctx, other.id)];
    await until(() => viewers.every((v) => v.statuses().length === 2));
    const subscribers = async () => Number(((await redis.pubsub("NUMSUB", teamChannel(d.ctx.team.id))) as [string, number])[1]);
    expect(await subscribers()).toBe(1);
    // All of them hear one publish.
    await d.step("STARTING");
    await other.step("STARTING");
    await until(() => viewers.every((v) => v.statuses().length === 3));
    for (const v of viewers) v.close();
    expect(await waitFor(subscribers, (n) => n === 0)).toBe(0);
  });

  it("ignores a malformed message and keeps delivering", async () => {
    const d = await running();
    const v = await view(d.ctx, d.id);
    await until(() => v.statuses().length === 2);
    const channel = teamChannel(d.ctx.team.id);
    await redis.publish(channel, "{not json");
    await redis.publish(channel, JSON.stringify({ kind: "deployment", deploymentId: d.id })); // outside the contract: no hostId, no time
    await redis.publish(channel, JSON.stringify({ kind: "nonsense", at: 1 }));
    await d.step("STARTING");
    await until(() => v.statuses().length === 3);
    expect(v.statuses()).toEqual(["QUEUED", "PULLING", "STARTING"]);
  });

  it("subscribes again after losing Redis and has its streams re-read what they missed", async () => {
    const d = await running();
    const v = await view(d.ctx, d.id);
    await until(() => v.statuses().length === 2);
    await d.append("before");
    await until(() => v.lines().length === 1);
    // A step whose message was lost (published while the subscriber was away), then the connection drops.
    await d.step("STARTING", { publish: false });
    await killConnection(`berth-live-${process.pid}`);
    await until(() => v.statuses().length === 3);
    expect(v.statuses()).toEqual(["QUEUED", "PULLING", "STARTING"]);
    expect(Number(((await redis.pubsub("NUMSUB", teamChannel(d.ctx.team.id))) as [string, number])[1])).toBe(1);
    // The tail's connection dropping loses no line either.
    await killConnection(`berth-log-tail-${process.pid}`);
    await d.append("after 1", "after 2");
    await until(() => v.lines().length === 3);
    expect(v.lines()).toEqual(["before", "after 1", "after 2"]);
  });
});
