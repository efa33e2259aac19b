// Reads every host's report stream through one consumer group (report-stream.ts: acknowledged only once
// applied, failures retried in order, a dead worker's pending entries taken over), persists each report and
// tells the host's team what changed (lib/live/channels.ts): heartbeats are written in batches, one per round
// (heartbeat-batch.ts), and a snapshot writes only the container rows that differ. Answers each snapshot with the host's desired state (lib/data/desired-state.ts),
// once every earlier report of that host is applied. Also re-provisions host Redis users whenever Redis
// (re)connects, removes the logins and keys of hosts that no longer exist (then, and every 10 minutes), marks
// silent hosts offline, and ends deployments whose lease ran out, but only of hosts whose reports are all
// applied (a heartbeat still waiting in the stream may renew it, a LIVE report end it).
import { hostname } from "node:os";
import { Redis } from "ioredis";
import { applyDeploymentReport, applyReleaseReport, dispatchAndTell as dispatchAndTellTeams, expireLeases } from "@/lib/data/deployments";
import { sendDesiredState } from "@/lib/data/desired-state";
import { applyContainerRemoved, applyContainerReport, applySnapshot, type ContainersOutcome } from "@/lib/data/container-reports";
import { forgetQuietCrashLoops } from "@/lib/data/crash-loops";
import {
  allHostCredentials,
  allHostStreams,
  applyProtocolMismatch,
  applyServingReport,
  databaseReachable,
  hostProtocolProblem,
  markHostGone,
  markSilentHostsOffline,
} from "@/lib/data/host-reports";
import { closeReportPool } from "@/lib/data/report-pool";
import { env } from "@/lib/env";
import { closeHostCalls, retainHostCalls } from "@/lib/hosts/call-host";
import { heartbeatProtocol, protocolProblem } from "@/lib/hosts/handshake";
import { hostReport, hostReportStream } from "@/lib/hosts/protocol";
import { sweepRemovedHosts } from "@/lib/hosts/forget-host";
import { hostUserKeyPattern, ownKeyPattern, provisionHostUser } from "@/lib/hosts/redis-acl";
import { publishLive } from "@/lib/live/publish";
import { createHeartbeatBatch } from "./heartbeat-batch";
import { createStreamConsumer } from "./report-stream";

const GROUP = "control";
const CONSUMER = `control-${hostname()}-${process.pid}`;
const CLEANUP_EVERY_MS = 10 * 60_000;
/** How long a report may wait unacknowledged by another control worker before this one takes it over. */
const RECLAIM_AFTER_MS = Number(process.env.BERTH_REPORT_RECLAIM_MS || 30_000);
/** A snapshot that changed more rows than this is told as `resync` (pages read the list again). */
const MAX_ROWS_TOLD = 50;

export function startHostReports() {
  const reader = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const writer = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  for (const r of [reader, writer]) r.on("error", (e) => !stopped && console.error(`control: redis: ${e.message}`));
  let stopped = false;
  let streams = new Map<string, string>(); // stream key → host id
  const groupsMade = new Set<string>();
  // Hosts whose agent speaks another protocol: their reports other than heartbeats are acknowledged and
  // dropped (said once per host), and nothing is dispatched to them (lib/data/deployments/dispatch.ts).
  let otherProtocol = new Set<string>();
  const dropsLogged = new Set<string>();

  const log = (m: string) => console.error(`control: ${m}`);
  const heartbeats = createHeartbeatBatch(writer, log);

  async function refreshHosts() {
    const hosts = await allHostStreams();
    streams = new Map(hosts.map((h) => [hostReportStream(env.queuePrefix, h.id), h.id]));
    otherProtocol = new Set(hosts.filter((h) => h.protocolProblem).map((h) => h.id));
    const ids = new Set(hosts.map((h) => h.id));
    heartbeats.retain(ids);
    retainHostCalls(ids);
    for (const key of streams.keys()) {
      if (groupsMade.has(key)) continue;
      await writer.xgroup("CREATE", key, GROUP, "0", "MKSTREAM").catch((e: Error) => {
        if (!e.message.includes("BUSYGROUP")) throw e;
      });
      groupsMade.add(key);
    }
    return hosts;
  }

  async function provisionAll() {
    groupsMade.clear(); // a restarted Redis lost its streams and groups too
    await refreshHosts();
    for (const h of await allHostCredentials()) {
      // A login whose keys are another queue prefix's belongs to another Berth on this Redis (test runs
      // sharing a database do this): resetting it would lock that Berth's agent out of its own keys.
      try {
        const keys = await hostUserKeyPattern(h.id, writer);
        if (keys === null || keys === ownKeyPattern(h.id)) await provisionHostUser(h.id, h.tokenHash, writer);
      } catch (e) {
        console.error(`control: provisioning the Redis user of host ${h.id} failed: ${(e as Error).message}`);
      }
    }
  }
  // Until it succeeds (PostgreSQL may be down as well): agents cannot log in before it has.
  async function provisionUntilDone() {
    for (let delay = 1000; !stopped; delay = Math.min(delay * 2, 10_000)) {
      try {
        await provisionAll();
        return cleanUp();
      } catch (e) {
        console.error(`control: provisioning host users failed (${(e as Error).message}); trying again`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
  writer.on("ready", () => void provisionUntilDone());

  // Hosts removed while Redis was unreachable (or re-provisioned by a race with their removal) leave a login
  // and keys behind: take them now.
  async function cleanUp() {
    try {
      const gone = await sweepRemovedHosts(async () => new Set((await allHostCredentials()).map((h) => h.id)), writer);
      if (gone.length) console.log(`control: removed the Redis logins and keys of ${gone.length} deleted host(s)`);
    } catch (e) {
      if (!stopped) console.error("control: cleaning up deleted hosts' Redis keys failed:", (e as Error).message);
    }
  }
  const cleanUpTimer = setInterval(() => {
    void cleanUp();
    forgetQuietCrashLoops().catch((e) => !stopped && console.error("control: forgetting quiet crash loops failed:", (e as Error).message));
  }, CLEANUP_EVERY_MS);

  /**
   * Applies one report; throws (and the entry stays pending, to be tried again) if it could not be. Heartbeats
   * are staged instead (`stage`): the stream's next flush writes them with the others of the round.
   */
  async function apply(key: string, id: string, fields: string[]): Promise<void> {
    const hostId = streams.get(key);
    const parsed = parseFields(fields);
    if (hostId && !(await protocolAllows(hostId, parsed))) return;
    const report = hostId ? hostReport.safeParse(parsed) : undefined;
    if (!hostId || !report?.success) {
      console.error(`control: dropped a malformed report ${id} on ${key}`);
      return;
    }
    const r = report.data;
    switch (r.type) {
      case "heartbeat": // (`stage` takes every heartbeat that gets this far)
        throw new Error("a heartbeat reached apply: it should have been staged");
      case "deployment": {
        const out = await applyDeploymentReport(hostId, r);
        if (out)
          await publishLive(writer, out.teamId, { hostId, kind: "deployment", serviceId: out.serviceId, deploymentId: r.deploymentId, status: r.status });
        if (out?.ended) await dispatchAndTell().catch((e) => console.error("control: dispatching failed:", (e as Error).message));
        return;
      }
      case "release": {
        const out = await applyReleaseReport(hostId, r);
        if (out) await publishLive(writer, out.teamId, { hostId, kind: "deployment", serviceId: out.serviceId, deploymentId: r.deploymentId });
        return;
      }
      case "serving":
        for (const s of await applyServingReport(hostId, r)) await publishLive(writer, s.teamId, { hostId, kind: "deployment", serviceId: s.serviceId });
        return;
      case "snapshot": {
        const out = await applySnapshot(hostId, new Date(r.at), r.containers);
        await tellContainers(hostId, out);
        // The answer to a snapshot, unless an earlier report of the host still waits to be applied (the
        // desired state would not include it: a LIVE report not yet applied would make the agent undo it).
        if (out && (await consumer.isOldestPending(key, id))) {
          await sendDesiredState(hostId, r.at, r.containers).catch((e) =>
            console.error(`control: the desired state of host ${hostId} was not sent: ${(e as Error).message}`),
          );
        }
        return;
      }
      case "container":
        return tellContainers(hostId, await applyContainerReport(hostId, new Date(r.at), r.container));
      case "removed":
        return tellContainers(hostId, await applyContainerRemoved(hostId, new Date(r.at), r.dockerId));
      case "goodbye": {
        const out = await markHostGone(hostId);
        if (out) await publishLive(writer, out.teamId, { hostId, kind: "host", host: out.patch });
        return;
      }
      default: {
        const never: never = r;
        throw new Error(`unknown report ${JSON.stringify(never)}`);
      }
    }
  }

  const parsedOf = new WeakMap<string[], unknown>(); // an entry's report, parsed once (by `stages`, then `apply`)
  function parseFields(fields: string[]): unknown {
    if (parsedOf.has(fields)) return parsedOf.get(fields);
    const raw = fields[fields.indexOf("report") + 1];
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    parsedOf.set(fields, parsed);
    return parsed;
  }

  /** Stages a well-formed heartbeat of a known host in this protocol (heartbeat-batch.ts writes it with the
   * round's others); any other entry goes to `apply`. Synchronous: see report-stream.ts `stage`. */
  function stage(key: string, _id: string, fields: string[]): boolean {
    const hostId = streams.get(key);
    if (!hostId) return false;
    const parsed = parseFields(fields);
    const beat = heartbeatProtocol.safeParse(parsed);
    if (!beat.success || protocolProblem(beat.data.facts.protocolVersion ?? 1) !== null) return false;
    const report = hostReport.safeParse(parsed);
    if (!report.success || report.data.type !== "heartbeat") return false;
    otherProtocol.delete(hostId); // its heartbeat clears the problem in Postgres
    dropsLogged.delete(hostId);
    heartbeats.stage({ hostId, facts: report.data.facts, deployments: report.data.deployments ?? [] });
    return true;
  }

  /** Tells the team what a container report changed: the host (status, counts), then its rows. */
  async function tellContainers(hostId: string, out: ContainersOutcome) {
    if (!out) return;
    if (out.host) await publishLive(writer, out.teamId, { hostId, kind: "host", host: out.host });
    const c = out.containers;
    if (!c) return;
    const rows = c.upserted.length + c.removed.length;
    if (c.resync || rows > MAX_ROWS_TOLD) await publishLive(writer, out.teamId, { hostId, kind: "containers", resync: true });
    else if (rows > 0) await publishLive(writer, out.teamId, { hostId, kind: "containers", upserted: c.upserted, removed: c.removed });
  }

  /**
   * The handshake (lib/hosts/handshake.ts), before a report is parsed: a heartbeat in another protocol records
   * the problem and goes no further; another report of such a host is dropped. False: acknowledge and drop.
   */
  async function protocolAllows(hostId: string, parsed: unknown): Promise<boolean> {
    const beat = heartbeatProtocol.safeParse(parsed);
    if (beat.success) {
      const theirs = beat.data.facts.protocolVersion ?? 1;
      const problem = protocolProblem(theirs);
      if (problem === null) {
        otherProtocol.delete(hostId); // its heartbeat, applied next, clears the problem in Postgres
        dropsLogged.delete(hostId);
        return true;
      }
      const { agentVersion, inContainer } = beat.data.facts;
      const out = await applyProtocolMismatch(hostId, { protocolVersion: theirs, problem, agentVersion, inContainer });
      otherProtocol.add(hostId);
      if (out?.patch) await publishLive(writer, out.teamId, { hostId, kind: "host", host: out.patch });
      return false;
    }
    // Postgres decides (the set may be a moment behind a heartbeat that cleared the problem).
    if (!otherProtocol.has(hostId) || (await hostProtocolProblem(hostId)) === null) return true;
    if (!dropsLogged.has(hostId)) {
      dropsLogged.add(hostId);
      console.error(`control: host ${hostId}'s agent speaks another protocol: its reports are dropped until it is updated`);
    }
    return false;
  }

  const consumer = createStreamConsumer({
    reader,
    writer,
    group: GROUP,
    consumer: CONSUMER,
    keys: () => [...streams.keys()],
    apply,
    stage,
    flush: heartbeats.flush,
    healthy: databaseReachable,
    reclaimAfterMs: RECLAIM_AFTER_MS,
    log,
    shards: { prefix: env.queuePrefix }, // several control workers split the hosts (host-shards.ts)
  });

  async function loop() {
    let lastRefresh = 0;
    while (!stopped) {
      try {
        if (Date.now() - lastRefresh > 2000) {
          await refreshHosts();
          lastRefresh = Date.now();
        }
        await consumer.step();
      } catch (e) {
        if (stopped) break;
        const msg = (e as Error).message;
        // A stream deleted under the read (its host was removed) or its group lost: re-read the hosts.
        if (msg.includes("NOGROUP") || msg.includes("UNBLOCKED")) {
          groupsMade.clear();
          consumer.reset();
        } else console.error("control: reading host reports failed:", msg);
        lastRefresh = 0;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  // Starting deployments tells their teams (a deployment whose spec cannot be built fails right here).
  const dispatchAndTell = () => dispatchAndTellTeams(writer);

  /** A host's reports are all applied: only then may its leases be judged. */
  const settled = (hostId: string | null) => (hostId ? consumer.settled(hostReportStream(env.queuePrefix, hostId)) : Promise.resolve(true));

  const sweep = setInterval(async () => {
    try {
      for (const h of await markSilentHostsOffline(env.hostOfflineAfterMs)) await publishLive(writer, h.teamId, { hostId: h.id, kind: "host", host: h.patch });
      for (const d of await expireLeases(new Date(), settled)) {
        const status = d.cancelRequested ? "CANCELLED" : "FAILED"; // what expireLeases ended it as
        await publishLive(writer, d.teamId, { hostId: d.hostId ?? "", kind: "deployment", serviceId: d.serviceId, deploymentId: d.id, status });
      }
      await dispatchAndTell();
    } catch (e) {
      console.error("control: sweep failed:", e);
    }
  }, 1000);

  const running = loop();
  return {
    async close() {
      stopped = true;
      clearInterval(sweep);
      clearInterval(cleanUpTimer);
      heartbeats.close();
      reader.disconnect();
      await running;
      await consumer.close().catch((e) => console.error("control: giving back report shards failed:", (e as Error).message));
      await closeHostCalls();
      await closeReportPool().catch(() => {});
      await writer.quit().catch(() => {});
    },
  };
}
