// What host reports cost and tell, on the real Redis and Postgres with the control worker's report reader:
// heartbeats read in one round are written in one transaction (their Host rows share one xmin) and a goodbye
// right after a heartbeat leaves the host OFFLINE; an unchanged snapshot writes no container row (row versions
// unchanged) and tells nothing; a changed one writes exactly the rows that changed and tells their patches; events
// tell their row or its removal; status changes are told at once and usage coalesced, only when it shows.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { createHost } from "@/lib/data/hosts";
import { env } from "@/lib/env";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { type ContainerSummary, type HostFacts, type HostReport, hostReportStream, PROTOCOL_VERSION } from "@/lib/hosts/protocol";
import { type LiveMessage, teamChannel } from "@/lib/live/channels";
import { closeAdminRedis } from "@/lib/redis/admin";
import { startHostReports } from "@/workers/control/host-reports";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const admin = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
const sub = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
const heard: LiveMessage[] = [];
let ctx: TeamContext;
let reports: ReturnType<typeof startHostReports>;
const batchHosts: string[] = [];

const facts = (cpuPercent = 5): HostFacts => ({
  agentVersion: "0.0.0-test",
  dockerVersion: "27.0.0",
  apiVersion: "1.47",
  os: "Test OS",
  kernel: "6.0",
  cpuCount: 4,
  cpuPercent,
  memTotalBytes: 8 * 2 ** 30,
  memUsedBytes: 2 * 2 ** 30,
  images: 3,
  protocolVersion: PROTOCOL_VERSION,
  inContainer: false,
});
let clock = Date.now();
const at = () => new Date(++clock).toISOString();
const heartbeat = (cpu?: number): HostReport => ({ type: "heartbeat", at: at(), facts: facts(cpu) });

function container(name: string, over: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    dockerId: randomBytes(32).toString("hex"),
    name,
    image: "busybox:latest",
    imageId: `sha256:${"a".repeat(64)}`,
    command: "sleep 3600",
    state: "running",
    status: "Up 2 hours",
    health: null,
    ports: [{ privatePort: 80, publicPort: 8080, type: "tcp", ip: "0.0.0.0" }],
    // Keys in an order jsonb does not keep: an unchanged row must still be seen as unchanged.
    labels: { "com.example.longer-key": "1", a: "2" },
    createdAt: "2026-01-01T00:00:00.000Z",
    startedAt: "2026-01-01T00:00:01.000Z",
    finishedAt: null,
    exitCode: null,
    restartPolicy: "no",
    ...over,
  };
}

/** Appends reports to hosts' streams in one MULTI, so the reader gets them in one round. */
async function send(...items: [hostId: string, report: HostReport][]) {
  const m = admin.multi();
  for (const [hostId, r] of items) m.xadd(hostReportStream(env.queuePrefix, hostId), "*", "report", JSON.stringify(r));
  await m.exec();
}

const newHost = async () => (await createHost(ctx, { name: uniq("costs") })).id;
const hostRow = (id: string) => db.host.findUniqueOrThrow({ where: { id } });
const rowVersions = async (hostId: string) =>
  new Map(
    (await db.$queryRaw<{ dockerId: string; xmin: string }[]>`SELECT "dockerId", xmin::text AS xmin FROM "Container" WHERE "hostId" = ${hostId}`).map((r) => [
      r.dockerId,
      r.xmin,
    ]),
  );
const told = <K extends LiveMessage["kind"]>(kind: K, hostId?: string) =>
  heard.filter((m): m is Extract<LiveMessage, { kind: K }> => m.kind === kind && (!hostId || !("hostId" in m) || m.hostId === hostId));
const allApplied = async (hostId: string) => {
  const key = hostReportStream(env.queuePrefix, hostId);
  const [groups, stream] = await Promise.all([admin.xinfo("GROUPS", key).catch(() => []), admin.xinfo("STREAM", key)]);
  const g = (groups as (string | number)[][])[0];
  if (!g) return false;
  const fields = (flat: unknown[]) => Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[String(v), flat[i + 1]]])));
  // By ids, not counts: the control worker trims what it applied away.
  return Number(fields(g).pending) === 0 && fields(g)["last-delivered-id"] === fields(stream as unknown[])["last-generated-id"];
};

beforeAll(async () => {
  ctx = await makeTeam();
  await sub.subscribe(teamChannel(ctx.team.id));
  sub.on("message", (_c, raw: string) => heard.push(JSON.parse(raw)));
  // Heartbeats of five hosts waiting in their streams before the reader starts: its first round reads them all.
  for (let i = 0; i < 5; i++) batchHosts.push(await newHost());
  await send(...batchHosts.map((h) => [h, heartbeat()] as [string, HostReport]));
  reports = startHostReports();
}, 30_000);

afterAll(async () => {
  await reports?.close();
  await closeHostCalls();
  await closeAdminRedis();
  sub.disconnect();
  admin.disconnect();
});

describe("host reports cost what changes", () => {
  it("writes a round's heartbeats in one transaction and tells each host's coming online at once", async () => {
    const rows = await waitFor(
      () => Promise.all(batchHosts.map(hostRow)),
      (hs) => hs.every((h) => h.status === "ONLINE"),
    );
    expect(rows.map((h) => h.status)).toEqual(batchHosts.map(() => "ONLINE"));
    const xmins = await db.$queryRaw<{ xmin: string }[]>`SELECT DISTINCT xmin::text AS xmin FROM "Host" WHERE id = ANY(${batchHosts})`;
    expect(xmins).toHaveLength(1); // one transaction wrote all five
    expect(rows[0]!.cpuPercent).toBe(5);
    expect(Number(rows[0]!.memTotalBytes)).toBe(8 * 2 ** 30);
    for (const h of rows) {
      const online = told("host", h.id).find((m) => m.host?.status === "ONLINE");
      expect(online?.host).toEqual({ id: h.id, status: "ONLINE", statusSince: h.statusSince.toISOString() });
    }
  });

  it("leaves a host OFFLINE when its goodbye follows a heartbeat in the same round", async () => {
    const id = batchHosts[0]!;
    await send([id, heartbeat()], [id, { type: "goodbye", at: at() }]);
    await waitFor(
      () => allApplied(id),
      (done) => done,
    );
    expect((await hostRow(id)).status).toBe("OFFLINE");
    expect(told("host", id).at(-1)?.host).toMatchObject({ id, status: "OFFLINE" });
  });

  it("tells usage coalesced, only when it changes as the page shows it", async () => {
    const id = await newHost();
    const usage = async () => told("hosts").flatMap((m) => m.hosts.filter((h) => h.id === id).map((h) => h.cpuPercent));
    await send([id, heartbeat(12.3)]);
    await waitFor(usage, (u) => u.length === 1);
    await send([id, heartbeat(12.4)]); // shown as "12%" too
    await waitFor(
      () => allApplied(id),
      (done) => done,
    );
    await send([id, heartbeat(50)]);
    expect(await waitFor(usage, (u) => u.includes(50))).toEqual([12.3, 50]);
    const last = told("hosts")
      .at(-1)!
      .hosts.find((h) => h.id === id);
    expect(last).toMatchObject({ cpuCount: 4, memTotalBytes: 8 * 2 ** 30, memUsedBytes: 2 * 2 ** 30, agentVersion: "0.0.0-test", dockerVersion: "27.0.0" });
  });

  it("writes nothing for an unchanged snapshot, and exactly the changed rows of a changed one", async () => {
    const id = await newHost();
    const [keep, change, drop] = [container("keep"), container("change"), container("drop")];
    await send([id, { type: "snapshot", at: at(), containers: [keep, change, drop] }]);
    await waitFor(
      () => allApplied(id),
      (done) => done,
    );
    const first = await rowVersions(id);
    expect(first.size).toBe(3);
    const firstTold = told("containers", id);
    expect(firstTold).toHaveLength(1);
    expect(firstTold[0]!.upserted?.map((c) => c.name).sort()).toEqual(["change", "drop", "keep"]);
    expect(told("host", id).at(-1)?.host?.containers).toMatchObject({ running: 3, exited: 0 });

    // The same containers again: only the host's times move.
    const before = await hostRow(id);
    await send([id, { type: "snapshot", at: at(), containers: [drop, change, keep] }]);
    await waitFor(
      () => allApplied(id),
      (done) => done,
    );
    expect(await rowVersions(id)).toEqual(first);
    expect((await hostRow(id)).lastSnapshotAt!.getTime()).toBeGreaterThan(before.lastSnapshotAt!.getTime());
    expect(told("containers", id)).toHaveLength(1);

    // One stopped, one gone, one new: those rows are written, the other keeps its version.
    const stopped = { ...change, state: "exited" as const, status: "Exited (0) 1 second ago", exitCode: 0, finishedAt: "2026-01-01T01:00:00.000Z" };
    const added = container("added");
    const hostCountsBefore = told("host", id).length;
    await send([id, { type: "snapshot", at: at(), containers: [keep, stopped, added] }]);
    await waitFor(
      () => allApplied(id),
      (done) => done,
    );
    const after = await rowVersions(id);
    expect([...after.keys()].sort()).toEqual([keep.dockerId, change.dockerId, added.dockerId].sort());
    expect(after.get(keep.dockerId)).toBe(first.get(keep.dockerId));
    expect(after.get(change.dockerId)).not.toBe(first.get(change.dockerId));
    const msg = told("containers", id).at(-1)!;
    expect(msg.resync).toBeUndefined();
    expect(msg.removed).toEqual([drop.dockerId]);
    expect(msg.upserted?.map((c) => [c.name, c.state, c.status]).sort()).toEqual([
      ["added", "running", "Up 2 hours"],
      ["change", "exited", "Exited (0) 1 second ago"],
    ]);
    expect(msg.upserted?.[0]?.ports).toEqual([{ privatePort: 80, publicPort: 8080, type: "tcp" }]);
    const hostTold = told("host", id).slice(hostCountsBefore);
    expect(hostTold.at(-1)?.host?.containers).toMatchObject({ running: 2, exited: 1 });
    expect((await db.container.findFirstOrThrow({ where: { hostId: id, dockerId: change.dockerId } })).state).toBe("exited");
  });

  it("tells an event's row or its removal, and nothing for an event that changes nothing or is older than the row", async () => {
    const id = await newHost();
    const c = container("event");
    await send([id, { type: "container", at: at(), container: c }]);
    await waitFor(
      async () => told("containers", id),
      (m) => m.length === 1,
    );
    expect(told("containers", id)[0]).toMatchObject({ upserted: [{ dockerId: c.dockerId, name: "event", state: "running" }] });
    const version = (await rowVersions(id)).get(c.dockerId);
    const stale = new Date(Date.parse(at()) - 60_000).toISOString();
    await send([id, { type: "container", at: at(), container: c }], [id, { type: "container", at: stale, container: { ...c, state: "dead" } }]);
    await waitFor(
      () => allApplied(id),
      (done) => done,
    );
    expect((await rowVersions(id)).get(c.dockerId)).toBe(version);
    expect(told("containers", id)).toHaveLength(1);
    await send([id, { type: "removed", at: at(), dockerId: c.dockerId }]);
    await waitFor(
      async () => told("containers", id),
      (m) => m.length === 2,
    );
    expect(told("containers", id)[1]).toMatchObject({ removed: [c.dockerId] });
    expect(told("host", id).at(-1)?.host?.containers).toMatchObject({ running: 0 });
  });

  it("tells a snapshot that changed many rows as a resync", async () => {
    const id = await newHost();
    await send([id, { type: "snapshot", at: at(), containers: Array.from({ length: 60 }, (_, i) => container(`many-${i}`)) }]);
    await waitFor(
      async () => told("containers", id),
      (m) => m.length === 1,
    );
    expect(told("containers", id)[0]).toMatchObject({ resync: true });
    expect(told("containers", id)[0]!.upserted).toBeUndefined();
    expect(await db.container.count({ where: { hostId: id } })).toBe(60);
  });
});
