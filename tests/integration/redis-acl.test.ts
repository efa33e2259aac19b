// A host's Redis login is an allowlist on its own keys: host 1 cannot see, touch, freeze or cut off anything
// of host 2 or of Redis itself, and a real agent working as host 2 (heartbeats, a container action, logs, a
// terminal session) is never refused a command (Redis's ACL LOG names no denial for its user).
import Dockerode from "dockerode";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TeamContext } from "@/lib/data/context";
import { listContainers } from "@/lib/data/containers";
import { actOnContainer, containerLogs } from "@/lib/data/host-calls";
import { createHost, getHost } from "@/lib/data/hosts";
import { openTerminal, sendTerminalInput, terminalOutput } from "@/lib/data/terminal";
import { env } from "@/lib/env";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { hostKeyPrefix, hostReportStream } from "@/lib/hosts/protocol";
import { hostRedisUser } from "@/lib/hosts/redis-acl";
import { closeAdminRedis } from "@/lib/redis/admin";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, removeTestContainers, runFixture } from "../support/fixture-image";
import { makeTeam } from "./support/factory";
import { waitFor } from "./support/wait";

// Agents reach the Redis this test run uses (whatever address other machines would be given).
process.env.BERTH_PUBLIC_REDIS_URL ??= env.redisUrl;
const docker = new Dockerode();
const admin = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
let ctx: TeamContext;
let host1: { id: string; agentUrl: string };
let host2: { id: string; agentUrl: string };
let as1: Redis;
const opened: Redis[] = [];

/** A fresh connection as a host (a command that changes the connection's mode gets one of its own). */
function connectAs(agentUrl: string) {
  const r = new Redis(parseAgentUrl(agentUrl).redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  r.on("error", () => {});
  opened.push(r);
  return r;
}

/** Redis's record of refused commands for one user: `object` names the command or key it refused. */
async function deniedFor(user: string) {
  const entries = (await admin.call("ACL", "LOG", "128")) as unknown[][];
  return entries
    .map((e) => Object.fromEntries(Array.from({ length: e.length / 2 }, (_, i) => [String(e[2 * i]), e[2 * i + 1]])) as Record<string, unknown>)
    .filter((e) => e.username === user)
    .map((e) => `${e.reason} ${e.context} ${e.object}`);
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  ctx = await makeTeam();
  host1 = await createHost(ctx, { name: "acl-one" });
  host2 = await createHost(ctx, { name: "acl-two" });
  as1 = connectAs(host1.agentUrl);
  await as1.connect();
});

afterAll(async () => {
  for (const r of opened) r.disconnect();
  admin.disconnect();
  await closeHostCalls();
  await closeAdminRedis();
  await removeTestContainers(docker);
});

// Each one, if it ran, would show another tenant's names or connections, freeze or wipe Redis, or change how
// it runs. Redis's own verdict for the user comes from ACL DRYRUN (nothing runs); each is then also sent as
// host 1, with arguments Redis refuses after the ACL check (a syntax error), so even a regression harms no one.
// DEBUG and SAVE are only dry-run: Redis refuses DEBUG before the ACL check, and SAVE takes no arguments.
const FORBIDDEN: string[][] = [
  ["SCAN", "0"],
  ["KEYS", "*"],
  ["RANDOMKEY"],
  ["DBSIZE"],
  ["CLIENT", "LIST"],
  ["CLIENT", "INFO"],
  ["CLIENT", "KILL", "ID", "999999999"],
  ["CLIENT", "PAUSE", "1"],
  ["CLIENT", "NO-EVICT", "ON"],
  ["CONFIG", "GET", "*"],
  ["CONFIG", "SET", "maxmemory", "NOT-A-SIZE"],
  ["FLUSHALL", "NOT-A-MODE"],
  ["FLUSHDB", "NOT-A-MODE"],
  ["PUBLISH", "berth:team:x", "hello"],
  ["PUBSUB", "CHANNELS"],
  ["DEBUG", "SLEEP", "0"],
  ["SHUTDOWN", "NOT-AN-OPTION"],
  ["ACL", "LIST"],
  ["ACL", "WHOAMI"],
  ["MODULE", "LIST"],
  ["SCRIPT", "FLUSH", "NOT-A-MODE"],
  ["SCRIPT", "KILL"],
  ["FUNCTION", "LIST"],
  ["SLOWLOG", "GET"],
  ["LATENCY", "LATEST"],
  ["MEMORY", "STATS"],
  ["SAVE"],
  ["BGSAVE", "NOT-AN-OPTION"],
  ["REPLICAOF", "NOT-A-HOST", "NOT-A-PORT"],
  ["SWAPDB", "0", "NOT-A-DB"],
  ["SELECT", "NOT-A-DB"],
  ["OBJECT", "FREQ", "x"],
];
const DRY_ONLY = new Set(["DEBUG", "SAVE"]);

describe("a host's Redis login", () => {
  it("refuses every command that reaches beyond its own keys", async () => {
    const allowed: string[] = [];
    for (const cmd of FORBIDDEN) {
      const verdict = String(await admin.call("ACL", "DRYRUN", hostRedisUser(host1.id), ...cmd));
      if (verdict === "OK") allowed.push(`${cmd.join(" ")} → allowed by the ACL`);
      if (DRY_ONLY.has(cmd[0]!)) continue;
      const err = await as1.call(cmd[0]!, ...cmd.slice(1)).then(
        () => null,
        (e: Error) => e.message,
      );
      if (!err?.startsWith("NOPERM")) allowed.push(`${cmd.join(" ")} → ${err ?? "ran"}`);
    }
    expect(allowed).toEqual([]);
    // The check can fail: what the agent needs is allowed (on its own keys).
    const own = `${hostKeyPrefix(env.queuePrefix, host1.id)}x`;
    expect(await admin.call("ACL", "DRYRUN", hostRedisUser(host1.id), "XADD", own, "*", "a", "b")).toBe("OK");
  });

  it("refuses MONITOR and SUBSCRIBE, each on a connection of its own", async () => {
    for (const cmd of [["MONITOR"], ["SUBSCRIBE", "berth:team:x"], ["PSUBSCRIBE", "*"], ["SSUBSCRIBE", "x"]]) {
      const r = connectAs(host1.agentUrl);
      await r.connect();
      await expect(r.call(cmd[0]!, ...cmd.slice(1)), cmd.join(" ")).rejects.toThrow(/^NOPERM/);
      r.disconnect();
    }
  });

  it("refuses another host's keys, directly and through a script", async () => {
    const own = `${hostKeyPrefix(env.queuePrefix, host1.id)}probe`;
    const theirs = `${hostKeyPrefix(env.queuePrefix, host2.id)}probe`;
    await admin.set(theirs, "host 2's", "EX", 60);
    await expect(as1.get(theirs)).rejects.toThrow(/^NOPERM/);
    await expect(as1.set(theirs, "x")).rejects.toThrow(/^NOPERM/);
    await expect(as1.xadd(hostReportStream(env.queuePrefix, host2.id), "*", "report", "{}")).rejects.toThrow(/^NOPERM/);
    await expect(as1.eval("return redis.call('GET', KEYS[1])", 1, theirs)).rejects.toThrow(/NOPERM/);
    // Declaring only its own key and touching host 2's inside: refused by the script's own call.
    await expect(as1.eval("return redis.call('GET', ARGV[1])", 1, own, theirs)).rejects.toThrow(/NOPERM|can't access/);
    await expect(as1.eval("return redis.call('DEL', KEYS[1])", 1, `${env.queuePrefix}:other`)).rejects.toThrow(/NOPERM/);
    // A key that merely begins like host 1's prefix but belongs to no host of its own.
    await expect(as1.get(`${hostKeyPrefix(env.queuePrefix, host1.id).slice(0, -1)}x:probe`)).rejects.toThrow(/^NOPERM/);
    expect(await admin.get(theirs)).toBe("host 2's");
    // Its own keys it may use, scripts included.
    await as1.set(own, "mine", "EX", 60);
    expect(await as1.eval("return redis.call('GET', KEYS[1])", 1, own)).toBe("mine");
    await as1.del(own);
    await admin.del(theirs);
  });

  it("lets a real agent do all its work: heartbeats, an action, logs and a terminal, with nothing refused", async () => {
    const control = startControlWorker();
    const logs: string[] = [];
    const agent = await startAgent(parseAgentUrl(host2.agentUrl), { log: (m) => logs.push(m), heartbeatMs: 500 });
    try {
      const host = await waitFor(
        () => getHost(ctx, host2.id),
        (h) => h.status === "ONLINE" && h.dockerVersion !== null,
      );
      expect(host.status).toBe("ONLINE");
      const c = await runFixture(docker, { cmd: ["sh", "-c", "echo acl-hello; sleep 3600"] });
      const id = c.id;
      await waitFor(
        () => listContainers(ctx, host2.id),
        (rows) => rows.items.some((r) => r.dockerId === id && r.state === "running"),
      );
      await actOnContainer(ctx, host2.id, id, "restart");
      const { lines } = await waitFor(
        () => containerLogs(ctx, host2.id, id, { tail: 10, timestamps: false }),
        (r) => r.lines.length > 0,
      );
      expect(lines.map((l) => l.text)).toContain("acl-hello");

      const { sessionId } = await openTerminal(ctx, host2.id, id, { cols: 80, rows: 24 });
      const done = new AbortController();
      const output = await terminalOutput(ctx, sessionId, done.signal);
      await sendTerminalInput(ctx, sessionId, { type: "data", data: "echo term-$((6*7))\n" });
      let screen = "";
      let ended = false;
      const reading = (async () => {
        for await (const o of output) {
          if (o.type === "data") screen += Buffer.from(o.data, "base64").toString("utf8");
          if (o.type === "end") ended = true;
          if (screen.includes("term-42") && !ended) await sendTerminalInput(ctx, sessionId, { type: "close" });
        }
      })();
      await Promise.race([reading, new Promise((r) => setTimeout(r, 20_000))]);
      done.abort();
      expect(screen).toContain("term-42");
      expect(ended).toBe(true);
      // A few more heartbeats and a snapshot's answer (host.converge) on the same login.
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await agent.stop();
      await control.close();
    }
    expect(logs.filter((m) => /NOPERM|no permissions/i.test(m))).toEqual([]);
    expect(await deniedFor(hostRedisUser(host2.id))).toEqual([]);
  }, 120_000);
});
