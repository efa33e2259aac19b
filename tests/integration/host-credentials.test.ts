// Each host's Redis login reaches only its own keys; removing a host revokes it at once; and after a
// Redis restart (which forgets ACL users) hosts reconnect and their state is right again.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import Dockerode from "dockerode";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listContainers } from "@/lib/data/containers";
import { actOnContainer } from "@/lib/data/host-calls";
import { createHost, getHost, removeHost } from "@/lib/data/hosts";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { hostReportStream } from "@/lib/hosts/protocol";
import { closeAdminRedis } from "@/lib/redis/admin";
import { teamChannel } from "@/lib/live/channels";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabelArgs } from "../support/fixture-image";
import { makeTeam, uniq } from "./support/factory";
import { redisCliArgs, redisSocket } from "./support/redis-wire";
import { waitFor } from "./support/wait";

const run = promisify(execFile);
const docker = new Dockerode();
const clients: Redis[] = [];
const login = (url: string) => {
  const r = new Redis(parseAgentUrl(url).redisUrl, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  r.on("error", () => {});
  clients.push(r);
  return r;
};
/** Tries a Redis login on a fresh socket; returns Redis's reply line ("+OK" or the error). */
function tryLogin(url: string, user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const arg = (v: string) => `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
    const sock = redisSocket(parseAgentUrl(url).redisUrl, () => sock.write(`*3\r\n${arg("AUTH")}${arg(user)}${arg(password)}`));
    sock.on("data", (d) => {
      resolve(d.toString().split("\r\n")[0]!);
      sock.destroy();
    });
    sock.on("error", reject);
  });
}
const prefix = () => process.env.BERTH_QUEUE_PREFIX ?? "bull";

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await closeHostCalls();
  await closeAdminRedis();
  await removeTestContainers(docker);
});

describe("host credentials", () => {
  it("reach only the host's own keys and no channel", async () => {
    const ctx = await makeTeam();
    const a = await createHost(ctx, { name: "a" });
    const b = await createHost(ctx, { name: "b" });
    const asA = login(a.agentUrl);
    await asA.connect();
    await expect(asA.xadd(hostReportStream(prefix(), a.id), "*", "report", "{}")).resolves.toBeTruthy();
    await expect(asA.xadd(hostReportStream(prefix(), b.id), "*", "report", "{}")).rejects.toThrow(/NOPERM/);
    await expect(asA.get(`${prefix()}:host-${b.id}:meta`)).rejects.toThrow(/NOPERM/);
    await expect(asA.get(`${prefix()}:control:meta`)).rejects.toThrow(/NOPERM/);
    await expect(asA.publish(teamChannel(ctx.team.id), "{}")).rejects.toThrow(/NOPERM/);
    await expect(asA.keys("*")).rejects.toThrow(/NOPERM/);

    const queueB = new Queue(`host-${b.id}`, { connection: asA, prefix: prefix() });
    await expect(queueB.add("container.action", { dockerId: "0".repeat(64), action: "stop" })).rejects.toThrow(/NOPERM/);

    // A host password opens neither the admin account nor another host's.
    const token = new URL(a.agentUrl).password;
    expect(await tryLogin(a.agentUrl, `host-${a.id}`, token)).toBe("+OK");
    expect(await tryLogin(a.agentUrl, "default", token)).toMatch(/^-WRONGPASS/);
    expect(await tryLogin(a.agentUrl, `host-${b.id}`, token)).toMatch(/^-WRONGPASS/);
  });

  it("are revoked when the host is removed", async () => {
    const ctx = await makeTeam();
    const host = await createHost(ctx, { name: "doomed" });
    const conn = login(host.agentUrl);
    await conn.connect();
    await removeHost(ctx, host.id);
    await expect(conn.ping()).rejects.toThrow();
    expect(await tryLogin(host.agentUrl, `host-${host.id}`, new URL(host.agentUrl).password)).toMatch(/^-WRONGPASS/);
  });
});

// Restarting Redis is only possible when it is the one scripts/setup.sh runs.
const localRedis = process.env.BERTH_LOCAL_REDIS === "1";
describe.runIf(localRedis)("after a Redis restart", () => {
  let control: ReturnType<typeof startControlWorker>;
  let agent: Awaited<ReturnType<typeof startAgent>>;
  beforeAll(async () => {
    await ensureFixtureImage(docker);
  });
  afterAll(async () => {
    await agent?.stop();
    await control?.close();
  });

  it("hosts log in again and their containers are right", async () => {
    const ctx = await makeTeam();
    const host = await createHost(ctx, { name: "survivor" });
    control = startControlWorker();
    agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
    const name = uniq("restart");
    const { stdout } = await run("docker", ["run", "-d", "--name", name, ...testLabelArgs(), "--stop-timeout", "1", FIXTURE_IMAGE, "sleep", "3600"]);
    const id = stdout.trim();
    const row = () => listContainers(ctx, host.id).then((cs) => cs.items.find((c) => c.dockerId === id));
    await waitFor(row, (r) => r?.state === "running");

    const password = process.env.BERTH_REDIS_PASSWORD ?? "";
    await run("redis-cli", [...redisCliArgs(process.env.REDIS_URL!), "shutdown", "nosave"], { env: { ...process.env, REDISCLI_AUTH: password } }).catch(
      () => {},
    );
    await run("docker", ["stop", id]); // happens while Redis is down: the event is lost
    await run("bash", ["scripts/setup.sh"], { env: process.env }); // starts Redis again, as `npm start` would

    expect((await waitFor(row, (r) => r?.state === "exited", 20_000))?.state).toBe("exited");
    expect(
      (
        await waitFor(
          () => getHost(ctx, host.id),
          (h) => h.status === "ONLINE",
        )
      ).status,
    ).toBe("ONLINE");
    await actOnContainer(ctx, host.id, id, "start"); // the host queue works again too
    expect((await docker.getContainer(id).inspect()).State.Running).toBe(true);
  }, 60_000);
});
