// The triggers of issue #14 other than deployments, with a real host agent, Docker Engine, Postgres, Redis and
// the control worker: a host cut off alerts once and "back" once (its first join not at all); a container
// that keeps crashing (restart: always) alerts once per episode, not per restart, and again after it ran a
// whole window and loops again; a protected environment's variable set/delete/restore/import/promote alerts
// once per mutation naming the keys, never the values, and an unprotected one not at all. Rules limited to
// another project, and other teams' rules, never get these events. Deliveries are asserted as rows, and once
// as what a local HTTP receiver gets, signed (verified with the independent `standardwebhooks`).
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TeamContext } from "@/lib/data/context";
import { forgetQuietCrashLoops, noteRestarts } from "@/lib/data/crash-loops";
import { applyImport, promoteVariables } from "@/lib/data/env-transfer";
import { createHost, getHost } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService } from "@/lib/data/services";
import { deleteVariable, type OwnerRef, restoreVariableVersion, setVariable, variableHistory } from "@/lib/data/variables";
import { db } from "@/lib/db";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { NOTIFICATION_EVENTS, type NotificationEvent } from "@/lib/notify/events";
import { newSigningSecret, sealChannelUrl, sealSigningSecret } from "@/lib/notify/secrets";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabelArgs } from "../support/fixture-image";
import { makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const run = promisify(execFile);
const docker = new Dockerode();
process.env.BERTH_HOST_OFFLINE_AFTER_MS = "2000";
// A crash-loop window's minute lasts 15 s here, so "ran a whole window" takes seconds, not a minute. It stays
// above 10 s: Docker resets its restart backoff only after a container ran 10 s, and the new loop needs that.
const WINDOW_MS = 15_000;
process.env.BERTH_CRASH_WINDOW_MINUTE_MS = String(WINDOW_MS);
const quiet = { log: () => {}, heartbeatMs: 500 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Received = { headers: IncomingHttpHeaders; body: string };
const received: Received[] = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (d: Buffer) => (body += d.toString()));
  req.on("end", () => {
    received.push({ headers: req.headers, body });
    res.writeHead(204).end();
  });
});

let ctx: TeamContext;
let other: TeamContext;
let project: { id: string; slug: string };
let serviceId: string;
let hostId: string;
let agentUrl: string;
let agent: Awaited<ReturnType<typeof startAgent>> | null = null;
let control: ReturnType<typeof startControlWorker>;
let modeDir: string;
// Channels: `all` has a team-wide rule for every event; `elsewhere` a rule limited to another project of the
// team; `foreign` is another team's team-wide rule.
const ch = { all: { id: "", secret: "" }, elsewhere: { id: "", secret: "" }, foreign: { id: "", secret: "" } };

async function channel(team: TeamContext, name: string, rule: { projectId?: string; crashRestarts?: number; crashWindowMinutes?: number }) {
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook/${name}`;
  const c = await db.notificationChannel.create({
    data: { teamId: team.team.id, name: uniq(name), kind: "webhook", urlLabel: new URL(url).origin, allowPrivateNetworks: true },
  });
  const secret = newSigningSecret();
  await db.notificationChannel.update({ where: { id: c.id }, data: { urlSealed: sealChannelUrl(c.id, url), signingSecret: sealSigningSecret(c.id, secret) } });
  await db.notificationRule.create({ data: { teamId: team.team.id, channelId: c.id, events: [...NOTIFICATION_EVENTS], ...rule } });
  return { id: c.id, secret };
}

const deliveries = (channelId: string, event: NotificationEvent, keyPrefix = "") =>
  db.notificationDelivery.findMany({ where: { channelId, event, eventKey: { startsWith: keyPrefix } }, orderBy: { createdAt: "asc" } });
type Payload = {
  detail: string | null;
  host: { id: string } | null;
  service: { name: string } | null;
  container: string | null;
  environment: { id: string } | null;
};
const payload = (d: { payload: unknown }) => d.payload as Payload;

/** Nothing of ctx's reached the other project's rule or the other team's. */
async function noneElsewhere(event: NotificationEvent) {
  expect(await deliveries(ch.elsewhere.id, event)).toHaveLength(0);
  expect(await deliveries(ch.foreign.id, event)).toHaveLength(0);
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  modeDir = await mkdtemp(path.join(os.tmpdir(), "berth-crash-"));
  ctx = await makeTeam();
  other = await makeTeam();
  project = await createProject(ctx, { name: uniq("shop") });
  const unrelated = await createProject(ctx, { name: uniq("unrelated") });
  serviceId = (await createService(ctx, project.slug, "production", { name: "api", image: FIXTURE_IMAGE })).id;
  ch.all = await channel(ctx, "all", { crashRestarts: 3, crashWindowMinutes: 1 });
  ch.elsewhere = await channel(ctx, "elsewhere", { projectId: unrelated.id, crashRestarts: 2, crashWindowMinutes: 1 });
  ch.foreign = await channel(other, "foreign", { crashRestarts: 2, crashWindowMinutes: 1 });
  const host = await createHost(ctx, { name: uniq("triggers") });
  hostId = host.id;
  agentUrl = host.agentUrl;
  control = startControlWorker();
});

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  await closeHostCalls();
  await closeAdminRedis();
  await removeTestContainers(docker);
  await new Promise((r) => receiver.close(r));
  if (modeDir) await rm(modeDir, { recursive: true, force: true });
});

describe("host offline and back", () => {
  const hostEvents = async (event: NotificationEvent) => deliveries(ch.all.id, event, `host:${hostId}:`);
  const statusIs = (status: string) =>
    waitFor(
      () => getHost(ctx, hostId),
      (h) => h.status === status,
      15_000,
    );

  it("says nothing when a host first joins", async () => {
    agent = await startAgent(parseAgentUrl(agentUrl), quiet);
    expect((await statusIs("ONLINE")).status).toBe("ONLINE");
    await sleep(1500); // a few heartbeats and the first snapshot
    expect(await hostEvents("host.online")).toHaveLength(0);
    expect(await hostEvents("host.offline")).toHaveLength(0);
  });

  it("alerts once when a host is cut off, and once when it is back", async () => {
    await agent?.stop({ goodbye: false }); // as if the machine died
    agent = null;
    expect((await statusIs("OFFLINE")).status).toBe("OFFLINE");
    const offline = await waitFor(
      () => hostEvents("host.offline"),
      (d) => d.length > 0,
    );
    await sleep(3000); // the offline sweep runs every second: it must not say it again
    expect(await hostEvents("host.offline")).toHaveLength(1);
    expect(payload(offline[0]!).host?.id).toBe(hostId);
    expect(payload(offline[0]!).detail).toMatch(/No heartbeat/);

    agent = await startAgent(parseAgentUrl(agentUrl), quiet);
    expect((await statusIs("ONLINE")).status).toBe("ONLINE");
    await waitFor(
      () => hostEvents("host.online"),
      (d) => d.length > 0,
    );
    await sleep(2000); // more heartbeats and a snapshot: still once
    expect(await hostEvents("host.online")).toHaveLength(1);
    expect(await hostEvents("host.offline")).toHaveLength(1);
    await noneElsewhere("host.offline");
    await noneElsewhere("host.online");
  });

  it("alerts on a goodbye too (a stopped agent takes no work), again once per transition", async () => {
    await agent?.stop(); // says goodbye
    agent = null;
    expect((await statusIs("OFFLINE")).status).toBe("OFFLINE");
    const offline = await waitFor(
      () => hostEvents("host.offline"),
      (d) => d.length > 1,
    );
    expect(offline).toHaveLength(2);
    expect(payload(offline[1]!).detail).toMatch(/goodbye/);
    agent = await startAgent(parseAgentUrl(agentUrl), quiet);
    expect((await statusIs("ONLINE")).status).toBe("ONLINE");
    await waitFor(
      () => hostEvents("host.online"),
      (d) => d.length > 1,
    );
    await sleep(2000);
    expect(await hostEvents("host.offline")).toHaveLength(2);
    expect(await hostEvents("host.online")).toHaveLength(2);
    await noneElsewhere("host.offline");
  });
});

describe("crash-looping containers", () => {
  const name = uniq("crashy");
  const crashes = () => deliveries(ch.all.id, "container.crash_looping", `crash:${hostId}:${name}:`);
  const loop = () => db.crashLoop.findUnique({ where: { hostId_containerName: { hostId, containerName: name } } });
  const inspect = () => docker.getContainer(name).inspect();

  it("alerts once per episode, not per restart; again after a whole window of running and a new loop", async () => {
    expect(agent).not.toBeNull();
    await writeFile(path.join(modeDir, "mode"), "crash");
    // Exits at once unless told to run (a file the test writes), under `restart: always`.
    await run("docker", [
      ...["run", "-d", "--name", name, "--restart", "always", "-v", `${modeDir}:/m:ro`, ...testLabelArgs()],
      ...["--label", `berth.service.id=${serviceId}`, "--stop-timeout", "1", FIXTURE_IMAGE],
      ...["sh", "-c", 'while [ "$(cat /m/mode)" = run ]; do sleep 1; done; exit 1'],
    ]);
    const first = await waitFor(loop, (l) => (l?.restarts.length ?? 0) >= 5, 60_000);
    expect(first?.restarts.length).toBeGreaterThanOrEqual(5);
    const one = await crashes();
    expect(one).toHaveLength(1);
    expect(payload(one[0]!).container).toBe(name);
    expect(payload(one[0]!).service?.name).toBe("api");
    expect(payload(one[0]!).detail).toMatch(/^Restarted \d+ times in 1 min\.$/);

    // Runs for longer than the window (1 min, of WINDOW_MS each): the episode is over.
    await writeFile(path.join(modeDir, "mode"), "run");
    const stable = await waitFor(inspect, (i) => i.State.Running && Date.now() - Date.parse(i.State.StartedAt) > WINDOW_MS + 2000, 120_000, 1000);
    expect(Date.now() - Date.parse(stable.State.StartedAt)).toBeGreaterThan(WINDOW_MS + 2000);
    expect(await crashes()).toHaveLength(1);

    await writeFile(path.join(modeDir, "mode"), "crash");
    const restartsBefore = stable.RestartCount;
    await waitFor(inspect, (i) => i.RestartCount >= restartsBefore + 5, 60_000);
    const two = await waitFor(crashes, (d) => d.length > 1, 30_000);
    await waitFor(loop, (l) => (l?.restarts.length ?? 0) >= 5, 30_000);
    expect(await crashes()).toHaveLength(2);
    expect(two[1]!.eventKey).not.toBe(two[0]!.eventKey);
    await noneElsewhere("container.crash_looping");
  }, 300_000);

  it("routes a container labelled with another team's service as no service of theirs", async () => {
    const theirs = await createProject(other, { name: uniq("theirs") });
    const theirService = await createService(other, theirs.slug, "production", { name: "secret-svc", image: FIXTURE_IMAGE });
    const spoof = uniq("spoof");
    const labels = { "berth.service.id": theirService.id };
    for (const s of [1, 2, 3]) {
      await db.$transaction((tx) => noteRestarts(tx, ctx.team.id, hostId, [{ name: spoof, labels, at: new Date(Date.UTC(2026, 0, 1, 0, 0, s)) }]));
    }
    const [alert, ...more] = await deliveries(ch.all.id, "container.crash_looping", `crash:${hostId}:${spoof}:`);
    expect(more).toHaveLength(0);
    expect(payload(alert!).service).toBeNull(); // only team-wide rules get it, naming nothing of the other team
    expect(JSON.stringify(alert!.payload)).not.toContain("secret-svc");
    expect((await db.crashLoop.findUnique({ where: { hostId_containerName: { hostId, containerName: spoof } } }))?.serviceId).toBeNull();
    await noneElsewhere("container.crash_looping");

    // A loop quiet for longer than any window is forgotten (the control worker's cleanup); a recent one is kept.
    await db.$executeRaw`UPDATE "CrashLoop" SET "updatedAt" = now() - interval '25 hours' WHERE "hostId" = ${hostId} AND "containerName" = ${spoof}`;
    expect(await forgetQuietCrashLoops()).toBeGreaterThanOrEqual(1);
    expect(await db.crashLoop.findUnique({ where: { hostId_containerName: { hostId, containerName: spoof } } })).toBeNull();
    expect(await loop()).not.toBeNull();
  });
});

describe("protected environments' variables", () => {
  let prod: { id: string };
  let staging: { id: string };
  const changes = (environmentOrService: string) =>
    db.notificationDelivery.findMany({
      where: { channelId: ch.all.id, event: "variables.changed", eventKey: { startsWith: `variables:${environmentOrService}:` } },
      orderBy: { createdAt: "asc" },
    });
  const VALUES = ["s3cret-value-1", "plain-value-2", "imported-a-3", "imported-b-4", "promoted-5", "service-6"];

  beforeAll(async () => {
    prod = (await getEnvironment(ctx, project.slug, "production")).env;
    staging = (await getEnvironment(ctx, project.slug, "staging")).env;
  });

  it("tells each set, delete, restore, import and promotion once, with who and which keys, never a value", async () => {
    const ref: OwnerRef = { scope: "ENVIRONMENT", environmentId: prod.id };
    const owner = `environment:${prod.id}`;
    await setVariable(ctx, ref, { key: "API_KEY", value: VALUES[0], secret: true });
    await setVariable(ctx, ref, { key: "PLAIN", value: VALUES[1] });
    await setVariable(ctx, ref, { key: "PLAIN", value: "later" });
    await deleteVariable(ctx, ref, "API_KEY");
    const [, older] = await variableHistory(ctx, ref, "PLAIN");
    await restoreVariableVersion(ctx, ref, older!.id);
    await applyImport(ctx, prod.id, `A_ONE=${VALUES[2]}\nB_TWO=${VALUES[3]}\n`);
    await setVariable(ctx, { scope: "ENVIRONMENT", environmentId: staging.id }, { key: "PROMO", value: VALUES[4] });
    await promoteVariables(ctx, project.slug, "staging", "production", { keys: ["PROMO"] });

    const rows = await changes(owner);
    const details = rows.map((r) => payload(r).detail);
    const who = ctx.actor.email;
    expect(details).toEqual([
      expect.stringMatching(new RegExp(`^${who} set API_KEY in `)),
      expect.stringMatching(new RegExp(`^${who} set PLAIN in `)),
      expect.stringMatching(new RegExp(`^${who} set PLAIN in `)),
      expect.stringMatching(new RegExp(`^${who} deleted API_KEY in `)),
      expect.stringMatching(new RegExp(`^${who} restored PLAIN in `)),
      expect.stringMatching(new RegExp(`^${who} imported A_ONE, B_TWO into `)),
      expect.stringMatching(new RegExp(`^${who} promoted PROMO into `)),
    ]);
    expect(new Set(rows.map((r) => r.eventKey)).size).toBe(rows.length);
    expect(rows.every((r) => payload(r).environment?.id === prod.id)).toBe(true);
    const text = JSON.stringify(rows.map((r) => r.payload));
    for (const v of [...VALUES, "later"]) expect(text).not.toContain(v);
  });

  it("tells a service variable of a protected environment, and nothing for an unprotected one", async () => {
    await setVariable(ctx, { scope: "SERVICE", serviceId }, { key: "SVC_TOKEN", value: VALUES[5], secret: true });
    const rows = await changes(`service:${serviceId}`);
    expect(rows).toHaveLength(1);
    expect(payload(rows[0]!).detail).toMatch(/set SVC_TOKEN in /);
    expect(payload(rows[0]!).service?.name).toBe("api");
    expect(JSON.stringify(rows[0]!.payload)).not.toContain(VALUES[5]);

    const ref: OwnerRef = { scope: "ENVIRONMENT", environmentId: staging.id };
    await setVariable(ctx, ref, { key: "OPEN", value: "x" });
    await applyImport(ctx, staging.id, "OPEN_TOO=y\n");
    await deleteVariable(ctx, ref, "OPEN");
    expect(await changes(`environment:${staging.id}`)).toHaveLength(0);
    await noneElsewhere("variables.changed");
  });

  it("reaches a local receiver, signed, with the keys and not the values", async () => {
    const [row] = await changes(`service:${serviceId}`);
    const got = await waitFor(
      async () => received.find((r) => r.headers["webhook-id"] === row!.id),
      (r) => r !== undefined,
      30_000,
    );
    expect(got).toBeDefined();
    const body = new Webhook(ch.all.secret).verify(got!.body, got!.headers as Record<string, string>) as { type: string; data: Payload };
    expect(body.type).toBe("variables.changed");
    expect(body.data.detail).toMatch(/SVC_TOKEN/);
    expect(got!.body).not.toContain(VALUES[5]);
  });
});
