// Reads every host's report stream through one consumer group, persists each report, tells the host's
// team, and acknowledges. Also re-provisions host Redis users whenever Redis (re)connects, removes the
// logins and keys of hosts that no longer exist (then, and every 10 minutes), and marks silent hosts offline.
import { Redis } from "ioredis";
import { applyDeploymentReport, dispatchDeployments, expireLeases } from "@/lib/data/deployments";
import { allHostCredentials, applyHostReport, markSilentHostsOffline } from "@/lib/data/host-reports";
import { env } from "@/lib/env";
import { hostReport, hostReportStream } from "@/lib/hosts/protocol";
import { sweepRemovedHosts } from "@/lib/hosts/forget-host";
import { hostUserKeyPattern, ownKeyPattern, provisionHostUser } from "@/lib/hosts/redis-acl";
import { publishLive } from "@/lib/live/publish";

const GROUP = "control";
const CONSUMER = `control-${process.pid}`;
const CLEANUP_EVERY_MS = 10 * 60_000;

export function startHostReports() {
  const reader = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const writer = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  for (const r of [reader, writer]) r.on("error", (e) => !stopped && console.error(`control: redis: ${e.message}`));
  let stopped = false;
  let streams = new Map<string, string>(); // stream key → host id
  const groupsMade = new Set<string>();

  async function refreshHosts() {
    const hosts = await allHostCredentials();
    streams = new Map(hosts.map((h) => [hostReportStream(env.queuePrefix, h.id), h.id]));
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
    for (const h of await refreshHosts()) {
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
  writer.on("ready", () => void provisionAll().catch((e) => console.error("control: provisioning host users failed:", e)).then(cleanUp));

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
  const cleanUpTimer = setInterval(() => void cleanUp(), CLEANUP_EVERY_MS);

  async function handle(key: string, id: string, fields: string[]) {
    const hostId = streams.get(key);
    const raw = fields[fields.indexOf("report") + 1];
    try {
      const report = hostId && raw ? hostReport.safeParse(JSON.parse(raw)) : undefined;
      if (!hostId || !report?.success) {
        console.error(`control: dropped a malformed report ${id} on ${key}`);
      } else if (report.data.type === "deployment") {
        const out = await applyDeploymentReport(hostId, report.data);
        if (out) await publishLive(writer, out.teamId, { hostId, kind: "deployment", serviceId: out.serviceId });
        if (out?.ended) await dispatchAndTell();
      } else {
        const out = await applyHostReport(hostId, report.data);
        if (out?.containersChanged) await publishLive(writer, out.teamId, { hostId, kind: "containers" });
        else if (out?.hostChanged) await publishLive(writer, out.teamId, { hostId, kind: "host" });
      }
    } finally {
      await writer.xack(key, GROUP, id);
    }
  }

  async function loop() {
    let lastRefresh = 0;
    while (!stopped) {
      try {
        if (Date.now() - lastRefresh > 2000) {
          await refreshHosts();
          lastRefresh = Date.now();
        }
        const keys = [...streams.keys()];
        if (keys.length === 0) {
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        const res = (await reader.xreadgroup("GROUP", GROUP, CONSUMER, "COUNT", 100, "BLOCK", 1000, "STREAMS", ...keys, ...keys.map(() => ">"))) as
          | [string, [string, string[]][]][]
          | null;
        for (const [key, entries] of res ?? []) for (const [id, fields] of entries) await handle(key, id, fields);
      } catch (e) {
        if (stopped) break;
        const msg = (e as Error).message;
        // A stream deleted under the read (its host was removed) or its group lost: re-read the hosts.
        if (msg.includes("NOGROUP") || msg.includes("UNBLOCKED")) groupsMade.clear();
        else console.error("control: reading host reports failed:", msg);
        lastRefresh = 0;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  // Starting deployments tells their teams (a deployment whose spec cannot be built fails right here).
  async function dispatchAndTell() {
    for (const d of await dispatchDeployments()) await publishLive(writer, d.teamId, { hostId: d.hostId, kind: "deployment", serviceId: d.serviceId });
  }

  const sweep = setInterval(async () => {
    try {
      for (const h of await markSilentHostsOffline(env.hostOfflineAfterMs)) await publishLive(writer, h.teamId, { hostId: h.id, kind: "host" });
      for (const d of await expireLeases()) await publishLive(writer, d.teamId, { hostId: d.hostId ?? "", kind: "deployment", serviceId: d.serviceId });
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
      reader.disconnect();
      await running;
      await writer.quit().catch(() => {});
    },
  };
}
