// One-time enrollment through the real route handlers, Postgres and Redis: Add host's token works exactly
// once (also when two agents race), expires, dies with its host; the install script is valid sh that checks
// the image's sha256 and never carries a password; the image and whoami routes take a token or the host's own
// Basic credentials; wrong guesses from one address are throttled.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as enrollRoute } from "@/app/api/agent/enroll/route";
import { GET as imageRoute } from "@/app/api/agent/image/route";
import { GET as installRoute } from "@/app/api/agent/install/[token]/route";
import { GET as whoamiRoute } from "@/app/api/agent/whoami/route";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { updateHostAgent } from "@/lib/data/host-agent-update";
import { FREE_GUESSES, installCommand, newInstallCommand } from "@/lib/data/host-enrollment";
import { addHost, getHost, removeHost } from "@/lib/data/hosts";
import { type EnrollmentCredentials, enrollmentCredentials } from "@/lib/hosts/enrollment";
import { closeAdminRedis } from "@/lib/redis/admin";
import { addMember, makeTeam } from "./support/factory";

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-enroll-"));
const tarball = randomBytes(4096);
const imageSha = createHash("sha256").update(tarball).digest("hex");
const saved = { BERTH_AGENT_IMAGE_DIR: process.env.BERTH_AGENT_IMAGE_DIR, BERTH_ENROLL_TTL_MS: process.env.BERTH_ENROLL_TTL_MS };

beforeAll(() => {
  fs.writeFileSync(path.join(dir, "berth-agent.tar.gz"), tarball);
  fs.writeFileSync(
    path.join(dir, "manifest.json"),
    JSON.stringify({ version: "0.1.0-aaaaaaaaaaaa", tag: "berth-agent:0.1.0-aaaaaaaaaaaa", sha256: imageSha, bytes: tarball.length }),
  );
  process.env.BERTH_AGENT_IMAGE_DIR = dir;
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  fs.rmSync(dir, { recursive: true, force: true });
  await closeAdminRedis();
});

/** Each test calls from its own address, so throttling never leaks between tests. */
const address = () => `198.51.100.${Math.floor(Math.random() * 250)}-${randomBytes(3).toString("hex")}`;
const tokenOf = (command: string) => /\/api\/agent\/install\/([A-Za-z0-9_-]+) \| sh$/.exec(command)![1]!;
const noParams = { params: Promise.resolve({}) };

function enroll(token: string, ip: string) {
  const req = new Request("http://berth.test/api/agent/enroll", {
    method: "POST",
    headers: { "content-type": "application/json", "x-berth-client-ip": ip },
    body: JSON.stringify({ token }),
  });
  return enrollRoute(req, noParams);
}
const install = (token: string, ip: string) =>
  installRoute(new Request(`http://berth.test/api/agent/install/${token}`, { headers: { "x-berth-client-ip": ip } }), { params: Promise.resolve({ token }) });
const basic = (hostId: string, password: string) => `Basic ${Buffer.from(`host-${hostId}:${password}`).toString("base64")}`;
function image(ip: string, opts: { token?: string; authorization?: string }) {
  const url = `http://berth.test/api/agent/image${opts.token ? `?token=${opts.token}` : ""}`;
  return imageRoute(new Request(url, { headers: { "x-berth-client-ip": ip, ...(opts.authorization ? { authorization: opts.authorization } : {}) } }), noParams);
}
const whoami = (ip: string, authorization: string) =>
  whoamiRoute(new Request("http://berth.test/api/agent/whoami", { headers: { "x-berth-client-ip": ip, authorization } }), noParams);

/** A Redis connection with the credentials, over TLS pinning only their CA (as the agent in its image connects). */
async function loginAs(creds: EnrollmentCredentials): Promise<Redis> {
  const redis = new Redis(creds.redisUrl, {
    tls: { ca: [creds.ca] },
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let failure: Error | undefined; // Redis's own refusal arrives as an error event before "Connection is closed"
  redis.on("error", (e) => (failure ??= e));
  try {
    await redis.connect();
  } catch (e) {
    redis.disconnect();
    throw failure ?? e;
  }
  return redis;
}

async function newHost(name = "remote") {
  const ctx = await makeTeam();
  const host = await addHost(ctx, { name });
  return { ctx, host, token: tokenOf(host.install.curl) };
}

async function exchange(token: string, ip = address()) {
  const res = await enroll(token, ip);
  expect(res.status).toBe(200);
  const creds = enrollmentCredentials.parse(await res.json());
  return { creds, password: decodeURIComponent(new URL(creds.redisUrl).password) };
}

describe("Add host", () => {
  it("makes a pending host and one install command whose token only its hash keeps", async () => {
    const before = Date.now();
    const { ctx, host, token } = await newHost("build-1");
    expect(host.install.curl).toBe(`curl -fsSL ${env.publicUrl}/api/agent/install/${token} | sh`);
    expect(host.install.wget).toBe(host.install.curl.replace("curl -fsSL", "wget -qO-"));
    // A Berth whose public address is its own loopback says the command cannot work elsewhere, and how to fix it.
    const loopback = ["localhost", "127.0.0.1"].includes(new URL(env.publicUrl).hostname);
    if (loopback) expect(host.install.warning).toMatch(/another machine cannot reach: set BERTH_PUBLIC_URL/);
    else expect(host.install.warning).toBeNull();
    const saved = process.env.BERTH_PUBLIC_URL;
    try {
      process.env.BERTH_PUBLIC_URL = "https://berth.example.com";
      expect(installCommand("x".repeat(43), new Date()).warning).toBeNull();
      process.env.BERTH_PUBLIC_URL = "http://127.0.0.1:3000";
      expect(installCommand("x".repeat(43), new Date()).warning).toContain("http://127.0.0.1:3000");
    } finally {
      if (saved === undefined) delete process.env.BERTH_PUBLIC_URL;
      else process.env.BERTH_PUBLIC_URL = saved;
    }
    expect(token).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{42}$/);
    const row = await db.host.findUniqueOrThrow({ where: { id: host.id } });
    expect(row.status).toBe("PENDING");
    expect(row.enrollTokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(row.enrollExpiresAt!.getTime()).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(row.enrollExpiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(await db.auditEvent.count({ where: { teamId: ctx.team.id, action: "host.create", targetId: host.id } })).toBe(1);
    // Only admins add hosts or make install commands.
    const dev = await addMember(ctx, "DEVELOPER");
    await expect(addHost(dev, { name: "nope" })).rejects.toMatchObject({ status: 403 });
    await expect(newInstallCommand(dev, host.id)).rejects.toMatchObject({ status: 403 });
  });
});

describe("POST /api/agent/enroll", () => {
  it("trades a token for working credentials exactly once, even when agents race", async () => {
    const { ctx, host, token } = await newHost("racer");
    const ip = address();
    // The host's row is held locked meanwhile, so every exchange has read the token before any may write: all
    // eight meet at the compare-and-set.
    let locked!: () => void;
    const lockHeld = new Promise<void>((r) => (locked = r));
    const gate = db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Host" WHERE id = ${host.id} FOR UPDATE`;
      locked();
      await new Promise((r) => setTimeout(r, 1500));
    });
    await lockHeld;
    const racing = Promise.all(Array.from({ length: 8 }, () => enroll(token, ip)));
    await gate;
    const answers = await racing;
    expect(answers.map((r) => r.status).sort()).toEqual([200, 410, 410, 410, 410, 410, 410, 410]);
    const won = answers.find((r) => r.status === 200)!;
    const lost = answers.find((r) => r.status === 410)!;
    expect((await lost.json()).error.message).toMatch(/already used or has expired/);
    const creds = enrollmentCredentials.parse(await won.json());
    expect(creds.hostId).toBe(host.id);
    expect(creds.ca).toBe(fs.readFileSync(process.env.BERTH_CA_FILE || path.join(process.cwd(), ".berth/tls/ca.crt"), "utf8"));
    expect(creds.agentVersion).toBe("0.1.0-aaaaaaaaaaaa");
    const url = new URL(creds.redisUrl);
    expect(url.protocol).toBe("rediss:");
    expect(url.username).toBe(`host-${host.id}`);
    const password = decodeURIComponent(url.password);
    const row = await db.host.findUniqueOrThrow({ where: { id: host.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(password).digest("hex"));
    expect(row.enrollTokenHash).toBeNull();
    expect(row.enrollExpiresAt).toBeNull();
    // The login works on Berth's Redis, over TLS, pinning only the CA it was given.
    const redis = await loginAs(creds);
    expect(redis.status).toBe("ready");
    redis.disconnect();
    const audit = await db.auditEvent.findFirstOrThrow({ where: { teamId: ctx.team.id, action: "host.enroll", targetId: host.id } });
    expect(audit.actorEmail).toBe("host:racer");
    expect(audit.actorId).toBeNull();
    // A third try later is refused too.
    expect((await enroll(token, address())).status).toBe(410);
  });

  it("refuses an expired token, a removed host's token and an unknown one", async () => {
    process.env.BERTH_ENROLL_TTL_MS = "1";
    const expired = await newHost("late");
    delete process.env.BERTH_ENROLL_TTL_MS;
    await new Promise((r) => setTimeout(r, 10));
    expect((await enroll(expired.token, address())).status).toBe(410);
    expect(await getHost(expired.ctx, expired.host.id)).toMatchObject({ status: "PENDING" });

    const removed = await newHost("gone");
    await removeHost(removed.ctx, removed.host.id);
    expect((await enroll(removed.token, address())).status).toBe(410);

    expect((await enroll(randomBytes(32).toString("base64url"), address())).status).toBe(410);
    expect((await enroll("x".repeat(50), address())).status).toBe(410);
    expect((await enroll("short", address())).status).toBe(400);
  });

  it("answers 503 without using the token while Berth has no CA", async () => {
    const { token } = await newHost();
    const saved = process.env.BERTH_CA_FILE;
    process.env.BERTH_CA_FILE = path.join(dir, "missing-ca.crt");
    try {
      const res = await enroll(token, address());
      expect(res.status).toBe(503);
      expect((await res.json()).error.message).toBe("Berth has no CA yet: run npm start once.");
    } finally {
      saved === undefined ? delete process.env.BERTH_CA_FILE : (process.env.BERTH_CA_FILE = saved);
    }
    await exchange(token); // still unused
  });

  it("New install command voids the earlier token, is audited, and is refused for an online or local host", async () => {
    const { ctx, host, token } = await newHost("again");
    const fresh = await newInstallCommand(ctx, host.id);
    const second = tokenOf(fresh.curl);
    expect(second).not.toBe(token);
    expect((await enroll(token, address())).status).toBe(410);
    expect(await db.auditEvent.count({ where: { teamId: ctx.team.id, action: "host.install-command", targetId: host.id } })).toBe(1);
    const first = await exchange(second);
    await db.host.update({ where: { id: host.id }, data: { status: "ONLINE" } });
    await expect(newInstallCommand(ctx, host.id)).rejects.toMatchObject({ status: 409 });
    // An online agent of another protocol takes no jobs: installing it again is its way forward.
    await db.host.update({ where: { id: host.id }, data: { protocolProblem: "This agent speaks protocol 1; Berth speaks 2." } });
    tokenOf((await newInstallCommand(ctx, host.id)).curl);
    await db.host.update({ where: { id: host.id }, data: { protocolProblem: null } });
    // The machine set up again: its old agent is cut off when the new one enrolls, and its password is void.
    const old = await loginAs(first.creds);
    const closed = new Promise((resolve) => old.once("end", resolve));
    await db.host.update({ where: { id: host.id }, data: { status: "OFFLINE" } });
    const again = await exchange(tokenOf((await newInstallCommand(ctx, host.id)).curl));
    await closed;
    expect(again.password).not.toBe(first.password);
    await expect(loginAs(first.creds)).rejects.toThrow(/WRONGPASS|invalid username-password/i);
    (await loginAs(again.creds)).disconnect();
    const local = await db.host.create({ data: { teamId: ctx.team.id, name: "local", isLocal: true, tokenHash: "0".repeat(64) } });
    await expect(newInstallCommand(ctx, local.id)).rejects.toMatchObject({ status: 409 });
    const other = await makeTeam();
    await expect(newInstallCommand(other, host.id)).rejects.toMatchObject({ status: 404 });
  });

  it("throttles an address that sends wrong tokens, and only that address", async () => {
    const ip = address();
    const wrong = () => randomBytes(32).toString("base64url").replace(/^[-_]/, "a");
    const burst = await Promise.all(Array.from({ length: FREE_GUESSES + 5 }, () => enroll(wrong(), ip)));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 410)).toHaveLength(FREE_GUESSES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const limited = burst.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // A right token from that address waits too; from another address it works.
    const { token } = await newHost();
    expect((await enroll(token, ip)).status).toBe(429);
    expect((await install(token, ip)).headers.get("x-berth-refused")).toBe("429");
    await exchange(token, address());
  });

  it("takes back the guess when a token is right", async () => {
    const ip = address();
    const ctx = await makeTeam();
    for (let i = 0; i < FREE_GUESSES + 5; i++) {
      const token = tokenOf((await addHost(ctx, { name: `h${i}` })).install.curl);
      expect((await install(token, ip)).headers.get("x-berth-refused")).toBeNull();
    }
  });
});

describe("GET /api/agent/install/<token>", () => {
  it("answers a POSIX sh script that checks the image's sha256 and carries no password", async () => {
    const { host, token } = await newHost("scripted");
    const res = await install(token, address());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/x-shellscript/);
    expect(res.headers.get("x-berth-refused")).toBeNull();
    const script = await res.text();
    expect(script).toMatch(/^#!\/bin\/sh\n/);
    expect(script).toContain("set -eu");
    expect(script).toContain(`IMAGE_SHA256='${imageSha}'`);
    expect(script).toContain(`TOKEN='${token}'`);
    expect(script).toContain("IMAGE_TAG='berth-agent:0.1.0-aaaaaaaaaaaa'");
    expect(script).toContain("--restart unless-stopped --network host");
    const file = path.join(dir, "install.sh");
    fs.writeFileSync(file, script);
    await run("dash", ["-n", file]);
    await run("busybox", ["sh", "-n", file]);
    // Looking at the script does not use the token; the password exists only after the exchange, never in a script.
    const { password } = await exchange(token);
    expect(script).not.toContain(password);
    expect(script).not.toMatch(/rediss?:\/\//);
    expect(script).not.toContain(`host-${host.id}:`);
  });

  it("answers a used, expired or unknown token with a script that prints why and fails", async () => {
    const { token } = await newHost();
    await exchange(token);
    for (const t of [token, randomBytes(32).toString("base64url").replace(/^[-_]/, "b")]) {
      const res = await install(t, address());
      expect(res.status).toBe(200); // `curl -f` would hand sh nothing for an error status
      expect(res.headers.get("x-berth-refused")).toBe("410");
      const file = path.join(dir, "refused.sh");
      fs.writeFileSync(file, await res.text());
      const outcome = await run("sh", [file]).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toContain("berth: This install command was already used or has expired");
    }
  });

  it("says so when Berth has no agent image", async () => {
    const { token } = await newHost();
    process.env.BERTH_AGENT_IMAGE_DIR = path.join(dir, "none");
    try {
      const res = await install(token, address());
      expect(res.headers.get("x-berth-refused")).toBe("503");
      expect(await res.text()).toContain("Berth has no agent image yet");
    } finally {
      process.env.BERTH_AGENT_IMAGE_DIR = dir;
    }
  });
});

describe("GET /api/agent/image and /api/agent/whoami", () => {
  it("hands the image to an unused token or the host's credentials, and nothing to anyone else", async () => {
    const { token, host } = await newHost("imaged");
    expect((await image(address(), {})).status).toBe(401);
    expect((await image(address(), { token: "nope" })).status).toBe(401);
    const res = await image(address(), { token });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-berth-image-sha256")).toBe(imageSha);
    expect(res.headers.get("x-berth-image-bytes")).toBe(String(tarball.length));
    expect(res.headers.get("content-type")).toBe("application/gzip");
    expect(Buffer.from(await res.arrayBuffer()).equals(tarball)).toBe(true);

    const { password } = await exchange(token);
    expect((await image(address(), { token })).status).toBe(401); // used
    const byHost = await image(address(), { authorization: basic(host.id, password) });
    expect(byHost.status).toBe(200);
    expect(
      createHash("sha256")
        .update(Buffer.from(await byHost.arrayBuffer()))
        .digest("hex"),
    ).toBe(imageSha);
    expect((await image(address(), { authorization: basic(host.id, `${password}x`) })).status).toBe(401);
    expect((await image(address(), { authorization: "Basic !!!" })).status).toBe(401);

    process.env.BERTH_AGENT_IMAGE_DIR = path.join(dir, "none");
    try {
      expect((await image(address(), { authorization: basic(host.id, password) })).status).toBe(503);
    } finally {
      process.env.BERTH_AGENT_IMAGE_DIR = dir;
    }
  });

  it("whoami answers the host's id, and 401 once the host is removed", async () => {
    const { ctx, token, host } = await newHost("asker");
    const { password } = await exchange(token);
    const ok = await whoami(address(), basic(host.id, password));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ hostId: host.id });
    const wrong = await whoami(address(), basic(host.id, "wrong-password"));
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toBe("This host was removed from Berth, or its credentials changed.");
    await removeHost(ctx, host.id);
    expect((await whoami(address(), basic(host.id, password))).status).toBe(401);
  });
});

describe("Update agent", () => {
  it("is refused for an agent outside Berth's image, an offline host, one already current, or one of another protocol", async () => {
    const { ctx, host } = await newHost("updating");
    await expect(updateHostAgent(ctx, host.id)).rejects.toThrow(/does not run from Berth's agent image/);
    await db.host.update({ where: { id: host.id }, data: { agentInContainer: true, agentVersion: "0.1.0-bbbbbbbbbbbb" } });
    await expect(updateHostAgent(ctx, host.id)).rejects.toThrow(/is offline/);
    await db.host.update({ where: { id: host.id }, data: { status: "ONLINE", agentVersion: "0.1.0-aaaaaaaaaaaa" } });
    await expect(updateHostAgent(ctx, host.id)).rejects.toThrow(/already runs agent 0.1.0-aaaaaaaaaaaa/);
    await db.host.update({
      where: { id: host.id },
      data: { agentVersion: "0.0.9-cccccccccccc", protocolProblem: "This agent speaks protocol 1; Berth speaks 2." },
    });
    await expect(updateHostAgent(ctx, host.id)).rejects.toThrow(/takes no jobs meanwhile, so install it again/);
    const dev = await addMember(ctx, "DEVELOPER");
    await expect(updateHostAgent(dev, host.id)).rejects.toMatchObject({ status: 403 });
  });
});
