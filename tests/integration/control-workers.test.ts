// Two control worker processes against one PostgreSQL and Redis (workers/control/host-shards.ts): hosts are
// split between them, each host's reports are applied in order by one of them at a time, one killed with
// SIGKILL mid-stream loses nothing (the other takes its hosts over once their leases run out), and a
// deployment waiting for its host is dispatched exactly once although both workers' schedulers race for it.
// Reports are written straight into each host's stream, as its agent would. The order in which Postgres
// saw them applied is recorded by a trigger this test adds to the Container table (and removes after).
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployImage } from "@/lib/data/deployments";
import { createHost } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { env } from "@/lib/env";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { hostQueueName, hostReportStream, PROTOCOL_VERSION } from "@/lib/hosts/protocol";
import { closeQueues } from "@/lib/jobs/enqueue";
import { queueOptions } from "@/lib/jobs/redis";
import { closeAdminRedis } from "@/lib/redis/admin";
import { SHARDS } from "@/workers/control/host-shards";
import { FIXTURE_IMAGE } from "../support/fixture-image";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

process.env.BERTH_PUBLIC_REDIS_URL ??= env.redisUrl;
const HOSTS = 40;
const EVENTS = 60; // container events per host
const LEASE_MS = 3000;
const admin = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
const LOG = `berth_test_apply_${process.pid}`;
const workers: { child: ChildProcess; output: string }[] = [];
let ctx: TeamContext;
const hosts: string[] = [];
let beats: NodeJS.Timeout | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const at = new Date().toISOString(); // one time for every event: only the order they are applied in decides
const dockerId = (i: number) => i.toString(16).padStart(64, "0");
const facts = {
  agentVersion: "test",
  dockerVersion: "24.0.0",
  apiVersion: "1.43",
  os: "Debian",
  kernel: "6.1",
  cpuCount: 2,
  cpuPercent: 1,
  memTotalBytes: 1e9,
  memUsedBytes: 1e8,
  images: 1,
  protocolVersion: PROTOCOL_VERSION,
};
const container = (i: number, seq: number) => ({
  dockerId: dockerId(i),
  name: `app-${i}`,
  image: "app",
  imageId: `sha256:${"a".repeat(64)}`,
  command: "sh",
  state: "running",
  status: `seq ${seq}`,
  health: null,
  ports: [],
  labels: {},
  createdAt: at,
  startedAt: at,
  finishedAt: null,
  exitCode: null,
  restartPolicy: "no",
});

/** Appends a report to the host's stream, as its agent does. */
const report = (hostId: string, r: object) => admin.xadd(hostReportStream(env.queuePrefix, hostId), "*", "report", JSON.stringify({ at, ...r }));
const heartbeatAll = () => Promise.all(hosts.map((h) => report(h, { type: "heartbeat", at: new Date().toISOString(), facts })));

/** A control worker process; its own process group, so SIGKILL reaches tsx's node child too. */
function startWorker() {
  const w = { child: null as unknown as ChildProcess, output: "" };
  w.child = spawn(path.join(process.cwd(), "node_modules/.bin/tsx"), ["workers/control.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, BERTH_REPORT_LEASE_MS: String(LEASE_MS) },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const s of [w.child.stdout, w.child.stderr]) s?.on("data", (d) => (w.output += d));
  workers.push(w);
  return w;
}
const signal = (w: { child: ChildProcess }, sig: NodeJS.Signals) => {
  try {
    process.kill(-w.child.pid!, sig);
  } catch {
    /* gone already */
  }
};
const shardOwners = async () => (await admin.mget(...[...Array(SHARDS).keys()].map((n) => `${env.queuePrefix}:control:shard:${n}`))) as (string | null)[];

beforeAll(async () => {
  ctx = await makeTeam();
  for (let i = 0; i < HOSTS; i++) hosts.push((await createHost(ctx, { name: uniq("shard") })).id);
  // Every write to a Container row of these hosts, in the order Postgres made them.
  await db.$executeRawUnsafe(`CREATE TABLE ${LOG} (n bigserial PRIMARY KEY, "hostId" text, status text)`);
  await db.$executeRawUnsafe(
    `CREATE FUNCTION ${LOG}_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO ${LOG} ("hostId", status) VALUES (NEW."hostId", NEW.status); RETURN NEW; END $$`,
  );
  await db.$executeRawUnsafe(`CREATE TRIGGER ${LOG}_t AFTER INSERT OR UPDATE ON "Container" FOR EACH ROW EXECUTE FUNCTION ${LOG}_f()`);
}, 60_000);

afterAll(async () => {
  clearInterval(beats);
  for (const w of workers) signal(w, "SIGKILL");
  await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${LOG}_t ON "Container"`);
  await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS ${LOG}_f()`);
  await db.$executeRawUnsafe(`DROP TABLE IF EXISTS ${LOG}`);
  if (hosts.length) await db.host.deleteMany({ where: { id: { in: hosts } } }).catch((e) => console.error(e));
  admin.disconnect();
  await closeHostCalls();
  await closeQueues();
  await closeAdminRedis();
}, 60_000);

describe("two control workers", () => {
  it("dispatch a deployment waiting for its host exactly once", async () => {
    // Deployments queued while their hosts are offline: the first heartbeats free them for both schedulers.
    const { env: staging } = await getEnvironment(ctx, (await createProject(ctx, { name: uniq("shards") })).slug, "staging");
    const deployments: string[] = [];
    for (const hostId of hosts.slice(0, 10)) {
      const s = await db.service.create({
        data: { environmentId: staging.id, name: uniq("web"), image: FIXTURE_IMAGE, command: [], ports: [], volumes: [], hostId },
      });
      deployments.push((await deployImage(ctx, s.id)).id);
    }
    const a = startWorker();
    const b = startWorker();
    // Both hold shards before the hosts speak.
    const owners = await waitFor(shardOwners, (o) => o.every(Boolean) && new Set(o).size === 2, 60_000, 200);
    expect(new Set(owners).size, `${a.output}\n${b.output}`).toBe(2);
    await heartbeatAll();
    beats = setInterval(() => void heartbeatAll().catch(() => {}), 1000);

    const dispatched = await waitFor(
      () => db.deployment.count({ where: { id: { in: deployments }, dispatchedAt: { not: null } } }),
      (n) => n === deployments.length,
      30_000,
    );
    expect(dispatched).toBe(deployments.length);
    await sleep(3000); // several more scheduler passes of both workers
    const starts = new Map<string, number>();
    for (const hostId of hosts.slice(0, 10)) {
      const q = new Queue(hostQueueName(hostId), queueOptions());
      for (const job of await q.getJobs(["waiting", "active", "delayed", "completed", "failed", "prioritized"])) {
        if (job?.name === "deployment.start") starts.set(job.data.deploymentId, (starts.get(job.data.deploymentId) ?? 0) + 1);
      }
      await q.close();
    }
    expect(Object.fromEntries(starts)).toEqual(Object.fromEntries(deployments.map((id) => [id, 1])));
  }, 120_000);

  it("apply each host's reports in order, and lose none when one of them is killed mid-stream", async () => {
    const [a, b] = workers as [(typeof workers)[0], (typeof workers)[0]];
    const send = async (from: number, to: number) => {
      for (let seq = from; seq <= to; seq++) {
        await Promise.all(hosts.map((h, i) => report(h, { type: "container", container: container(i, seq) })));
        await sleep(20);
      }
    };
    await send(1, EVENTS / 3);
    signal(a, "SIGKILL"); // its leases stay until they run out; what it was given stays pending on it
    await send(EVENTS / 3 + 1, EVENTS);

    const lastOf = () => db.container.findMany({ where: { hostId: { in: hosts } }, select: { hostId: true, status: true } });
    await waitFor(lastOf, (cs) => cs.length === HOSTS && cs.every((c) => c.status === `seq ${EVENTS}`), 60_000, 250);
    // The survivor took every shard over, and nothing is left unacknowledged.
    const owners = await waitFor(shardOwners, (o) => o.every((x) => x !== null && x === o[0]), 15_000, 200);
    expect(new Set(owners).size, b.output).toBe(1);
    clearInterval(beats); // (heartbeats keep coming otherwise)
    const pendingOf = async () => {
      let n = 0;
      for (const h of hosts) n += ((await admin.xpending(hostReportStream(env.queuePrefix, h), "control")) as [number])[0];
      return n;
    };
    expect(await waitFor(pendingOf, (n) => n === 0, 15_000, 200)).toBe(0);
    // Every host ends on its last event, read once everything was applied.
    const final = await lastOf();
    expect(final).toHaveLength(HOSTS);
    expect(final.filter((c) => c.status !== `seq ${EVENTS}`)).toEqual([]);

    // Per host, the statuses Postgres wrote never went back (one applied again after the kill may repeat).
    const log = await db.$queryRawUnsafe<{ hostId: string; status: string }[]>(`SELECT "hostId", status FROM ${LOG} ORDER BY n`);
    const backwards: string[] = [];
    const last = new Map<string, number>();
    for (const row of log) {
      const seq = Number(row.status.replace("seq ", ""));
      if (seq < (last.get(row.hostId) ?? 0)) backwards.push(`${row.hostId}: ${last.get(row.hostId)} then ${seq}`);
      last.set(row.hostId, seq);
    }
    expect(backwards).toEqual([]);
    expect(new Set(log.map((r) => r.hostId)).size).toBe(HOSTS);
  }, 120_000);
});
