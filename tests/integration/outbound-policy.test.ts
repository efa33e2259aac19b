// Outbound requests users steer never reach loopback, private or metadata addresses unless the host's admin
// allowed private networks: the API refuses such repository URLs and registries beside the field; a URL
// forced past the API (changed in the database) fails in the agent with a clear message, and deploys once
// the admin allows private networks. The agent's clone goes to exactly the addresses it checked.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { TeamContext } from "@/lib/data/context";
import { deployFromGit } from "@/lib/data/deployments";
import { createGitService, updateGitService } from "@/lib/data/git-services";
import { createHost, getHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { createService, updateService } from "@/lib/data/services";
import { routeId } from "@/lib/deploy/names";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeQueues } from "@/lib/jobs/enqueue";
import { closeAdminRedis } from "@/lib/redis/admin";
import { cloneRepo } from "@/workers/agent/build/clone";
import { parseAgentUrl } from "@/workers/agent/config";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage } from "../support/fixture-image";
import { HTTPD_DOCKERFILE, makeBareRepo } from "../support/git-repo";
import { addMember, makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";
import { deployImageAndSettle } from "./support/deploy";

process.env.BERTH_DEPLOY_LEASE_MS = "3000";

const docker = new Dockerode();
let ctx: TeamContext;
let hostId: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let repo: Awaited<ReturnType<typeof makeBareRepo>>;
let projectSlug: string;
let daemon: ChildProcess | undefined;
let daemonPort = 0;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A TCP listener that records what each connection sends first, then hangs up. */
async function recorder() {
  const seen: Buffer[] = [];
  const srv = net.createServer((sock) => {
    sock.once("data", (d: Buffer) => {
      seen.push(d);
      sock.destroy();
    });
    // ssh waits for the server's banner before it sends anything.
    sock.write("SSH-2.0-recorder\r\n");
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { seen, port: (srv.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

const settle = (id: string) =>
  waitFor(
    () => db.deployment.findUniqueOrThrow({ where: { id } }),
    (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
    60_000,
    100,
  );

const setAllowance = (allow: boolean) =>
  updateHostDeploySettings(ctx, hostId, { baseDomain: "localhost", buildConcurrency: "2", ...(allow ? { allowPrivateNetworks: "on" } : {}) });

async function fieldError(p: Promise<unknown>, field: string): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  const messages = (e as ValidationError).fields[field];
  expect(messages, JSON.stringify((e as ValidationError).fields)).toHaveLength(1);
  return messages![0]!;
}

beforeAll(async () => {
  await ensureFixtureImage(docker);
  repo = await makeBareRepo("berth-outbound-");
  await repo.commit({ Dockerfile: HTTPD_DOCKERFILE, "site/index.html": "served over git://\n" }, "first");
  // git's own daemon on the loopback: a repository host on a private address.
  daemonPort = await freePort();
  daemon = spawn("git", ["daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", `--port=${daemonPort}`, `--base-path=${repo.dir}`, repo.dir], {
    stdio: "ignore",
  });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) =>
        net
          .connect(daemonPort, "127.0.0.1")
          .on("connect", function (this: net.Socket) {
            this.destroy();
            resolve(true);
          })
          .on("error", () => resolve(false)),
      ),
    (up) => up,
    10_000,
    50,
  );
  ctx = await makeTeam();
  const host = await createHost(ctx, { name: "outbound-host" });
  hostId = host.id;
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  projectSlug = (await createProject(ctx, { name: uniq("outbound") })).slug;
}, 60_000);

afterAll(async () => {
  daemon?.kill();
  await agent?.stop();
  await control?.close();
  const mine = await docker.listContainers({ all: true, filters: { label: [`berth.host.id=${hostId}`] } });
  for (const c of mine)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  await docker
    .getNetwork(`berth-${projectSlug}-staging`)
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

describe("the API", () => {
  const git = (name: string, gitUrl: string, extra: Record<string, string> = {}) =>
    createGitService(ctx, projectSlug, "staging", { name, gitUrl, gitBranch: "main", httpPort: "8080", hostId, ...extra });

  it("refuses repository URLs naming loopback, private and metadata addresses, in any spelling, beside the field", async () => {
    const cases: [string, RegExp][] = [
      [
        "https://127.0.0.1:2019/config.git",
        /^Refused repository URL: 127\.0\.0\.1 is a loopback address: this host does not reach private networks \(an admin can allow private networks in the host's settings\)$/,
      ],
      ["https://localhost/team/app.git", /localhost is a loopback name/],
      ["ssh://git@10.0.0.1/team/app.git", /10\.0\.0\.1 is a private address \(RFC 1918\)/],
      ["git@192.168.1.1:team/app.git", /192\.168\.1\.1 is a private address/],
      ["https://100.64.0.1/app.git", /CGNAT/],
      ["https://2130706433/app.git", /write the address 2130706433 as 127\.0\.0\.1/],
      ["https://0x7f.1/app.git", /write the address 0x7f\.1 as 127\.0\.0\.1/],
      ["https://169.254.169.254/latest.git", /link-local address \(the cloud metadata service\), which Berth never connects to/],
    ];
    for (const [url, message] of cases) expect(await fieldError(git(uniq("svc"), url), "gitUrl"), url).toMatch(message);
    // Without a host chosen, the strict policy applies.
    expect(await fieldError(git(uniq("svc"), "https://127.0.0.1/app.git", { hostId: "" }), "gitUrl")).toMatch(/loopback/);
    expect(await db.service.count({ where: { environment: { project: { slug: projectSlug, teamId: ctx.team.id } } } })).toBe(0);

    // Changing an existing service's URL is checked the same way.
    const ok = await git("public", "https://git.example.test/team/app.git");
    expect(
      await fieldError(updateGitService(ctx, ok.id, { gitUrl: "https://127.0.0.1/app.git", gitBranch: "main", httpPort: "8080", hostId }), "gitUrl"),
    ).toMatch(/loopback/);
    expect((await db.service.findUniqueOrThrow({ where: { id: ok.id } })).gitUrl).toBe("https://git.example.test/team/app.git");
  });

  it("refuses image registries on such addresses; Docker Hub names pass", async () => {
    const image = (name: string, ref: string) => createService(ctx, projectSlug, "staging", { name, image: ref, hostId });
    expect(await fieldError(image("reg1", "127.0.0.1:5000/team/app:1"), "image")).toMatch(/^Refused registry: 127\.0\.0\.1 is a loopback address/);
    expect(await fieldError(image("reg2", "localhost:5000/app"), "image")).toMatch(/loopback name/);
    expect(await fieldError(image("reg3", "2130706433:5000/app"), "image")).toMatch(/write the address 2130706433 as 127\.0\.0\.1/);
    const hub = await image("hub", "team/app:2");
    expect(await fieldError(updateService(ctx, hub.id, { image: "10.1.2.3:5000/app", hostId }), "image")).toMatch(/private address/);
  });

  it("accepts private hosts once an admin allows private networks (audited), but never link-local or metadata", async () => {
    const dev = await addMember(ctx, "DEVELOPER");
    await expect(updateHostDeploySettings(dev, hostId, { baseDomain: "localhost", buildConcurrency: "2", allowPrivateNetworks: "on" })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await setAllowance(true);
    try {
      expect((await getHost(ctx, hostId)).allowPrivateNetworks).toBe(true);
      const audit = await db.auditEvent.findFirst({ where: { teamId: ctx.team.id, action: "host.deploy-settings" }, orderBy: { createdAt: "desc" } });
      expect(audit?.data).toMatchObject({ allowPrivateNetworks: { from: false, to: true } });
      await git(uniq("lan"), "https://127.0.0.1:8443/team/app.git");
      await git(uniq("lan"), "ssh://git@10.0.0.1/team/app.git");
      await createService(ctx, projectSlug, "staging", { name: uniq("reg"), image: "localhost:5000/app", hostId });
      expect(await fieldError(git(uniq("meta"), "https://169.254.169.254/latest.git"), "gitUrl")).toMatch(/never connects to/);
      expect(await fieldError(git(uniq("meta"), "https://100.100.100.200/latest.git"), "gitUrl")).toMatch(/cloud metadata address/);
    } finally {
      await setAllowance(false);
    }
    expect((await getHost(ctx, hostId)).allowPrivateNetworks).toBe(false);
  });
});

describe("the agent", () => {
  it("fails a deployment whose repository was moved to a loopback address behind the API's back, and deploys it once allowed", async () => {
    // Created with the fixture's file:// URL (no network), then pointed at the git daemon on the loopback.
    const svc = await createGitService(ctx, projectSlug, "staging", {
      name: "forced",
      gitUrl: repo.url,
      gitBranch: "main",
      httpPort: "8080",
      healthPath: "/",
      healthTimeoutSec: "10",
      hostId,
    });
    for (const url of [`git://127.0.0.1:${daemonPort}/app.git`, `git://localhost:${daemonPort}/app.git`]) {
      await db.service.update({ where: { id: svc.id }, data: { gitUrl: url } });
      const d = await settle((await deployFromGit(ctx, svc.id)).id);
      expect(d.status).toBe("FAILED");
      expect(d.error).toMatch(
        url.includes("localhost")
          ? /^Refused repository URL: localhost is a loopback name: this host does not reach private networks/
          : /^Refused repository URL: 127\.0\.0\.1 is a loopback address: this host does not reach private networks/,
      );
      expect(d.commitSha).toBeNull(); // nothing was cloned
    }

    await setAllowance(true);
    try {
      const d = await settle((await deployFromGit(ctx, svc.id)).id);
      expect(d.error).toBeNull();
      expect(d.status).toBe("LIVE");
      expect(d.commitMessage).toBe("first");
    } finally {
      await setAllowance(false);
    }
  }, 120_000);

  it("refuses to pull an image from a registry on a private address unless allowed", async () => {
    const svc = await createService(ctx, projectSlug, "staging", { name: "pull", image: "team/app:2", hostId });
    await db.service.update({ where: { id: svc.id }, data: { image: "127.0.0.1:1/nothing:1" } });
    const refused = (await deployImageAndSettle(ctx, svc.id)).deployment;
    expect(refused.status).toBe("FAILED");
    expect(refused.error).toMatch(/Refused registry for 127\.0\.0\.1:1\/nothing:1: 127\.0\.0\.1 is a loopback address/);
    await setAllowance(true);
    try {
      // Allowed: Docker itself tries the registry (nothing listens on port 1) and says so.
      const failed = (await deployImageAndSettle(ctx, svc.id)).deployment;
      expect(failed.status).toBe("FAILED");
      expect(failed.error).not.toMatch(/Refused registry/);
      expect(failed.error).toMatch(/127\.0\.0\.1:1/);
    } finally {
      await setAllowance(false);
    }
  }, 60_000);

  it("connects to exactly the checked addresses: pinned for https (curl) and ssh (HostName), none for refused hosts", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "berth-pin-"));
    const rec = await recorder();
    // A name no DNS knows: only the pin can take git there. The lookup stands for the agent's DNS answer.
    const lookup = async (host: string) => (host === "pinned.invalid" ? ["127.0.0.1"] : []);
    try {
      const https = `https://pinned.invalid:${rec.port}/team/app.git`;
      await expect(cloneRepo({ url: https, ref: "main", dir: path.join(tmp, "a"), lookup })).rejects.toThrow(
        /^Refused repository URL: pinned\.invalid resolves to 127\.0\.0\.1, a loopback address/,
      );
      expect(rec.seen).toHaveLength(0);
      await expect(cloneRepo({ url: https, ref: "main", dir: path.join(tmp, "b"), lookup, allowPrivateNetworks: true })).rejects.toThrow(/git clone failed/);
      expect(rec.seen).toHaveLength(1);
      // A TLS ClientHello naming the host from the URL (SNI), sent to the pinned address.
      expect(rec.seen[0]![0]).toBe(0x16);
      expect(rec.seen[0]!.includes(Buffer.from("pinned.invalid"))).toBe(true);

      const ssh = `ssh://git@pinned.invalid:${rec.port}/team/app.git`;
      await expect(cloneRepo({ url: ssh, ref: "main", dir: path.join(tmp, "c"), lookup })).rejects.toThrow(/Refused repository URL/);
      expect(rec.seen).toHaveLength(1);
      await expect(cloneRepo({ url: ssh, ref: "main", dir: path.join(tmp, "d"), lookup, allowPrivateNetworks: true })).rejects.toThrow(/git clone failed/);
      expect(rec.seen).toHaveLength(2);
      expect(rec.seen[1]!.toString("latin1")).toMatch(/^SSH-2\.0-/);
    } finally {
      await rec.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
