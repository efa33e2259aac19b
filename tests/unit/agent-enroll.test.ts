// The agent's side of enrollment and of "was my host removed?", against a tiny local HTTP server standing in
// for Berth: the credentials parsed and kept (0600), a spent token's clear refusal, Berth out of reach, and
// the agent ending only when Berth answers 401.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EnrollmentCredentials } from "@/lib/hosts/enrollment";
import { imageAgentConfig } from "@/workers/agent/config";
import { EnrollmentRefused, enroll, TOKEN_REFUSED } from "@/workers/agent/enroll";
import { hostRemoved, REMOVED_MESSAGE, watchForRemoval } from "@/workers/agent/removed";

const TOKEN = "A".repeat(43);
const HOST_ID = "cmtesthost0001";
const PASSWORD = "s3cret-password";
const FIXTURE: EnrollmentCredentials = {
  hostId: HOST_ID,
  redisUrl: `rediss://host-${HOST_ID}:${PASSWORD}@10.0.0.5:6380/?prefix=bull`,
  ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  berthUrl: "https://berth.example.test",
  registry: "berth.example.test:5000",
  protocolVersion: 2,
  agentVersion: "0.1.0-abcdef012345",
};

// What the stand-in answers next, and what it was asked.
let answer: { status: number; body: unknown } = { status: 200, body: FIXTURE };
const seen: { method?: string; url?: string; body: string; authorization?: string }[] = [];
let server: http.Server;
let base = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, body, authorization: req.headers.authorization });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  seen.length = 0;
  answer = { status: 200, body: FIXTURE };
});

describe("enroll", () => {
  it("posts the token and returns the parsed credentials", async () => {
    expect(await enroll(base, TOKEN)).toEqual(FIXTURE);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/api/agent/enroll" });
    expect(JSON.parse(seen[0]!.body)).toEqual({ token: TOKEN });
  });

  it.each([401, 410])("says the install command was used or expired for %i", async (status) => {
    answer = { status, body: { error: { code: "gone", message: "whatever Berth says" } } };
    const err = await enroll(base, TOKEN).catch((e) => e);
    expect(err).toBeInstanceOf(EnrollmentRefused);
    expect(err.message).toBe(TOKEN_REFUSED);
  });

  it("passes on Berth's own message for other refusals, and refuses an answer of the wrong shape", async () => {
    answer = { status: 503, body: { error: { code: "unavailable", message: "Berth has no CA yet: run npm start once." } } };
    await expect(enroll(base, TOKEN)).rejects.toThrow("Berth refused the enrollment (HTTP 503): Berth has no CA yet: run npm start once.");
    answer = { status: 200, body: { ...FIXTURE, hostId: "NOT VALID" } };
    await expect(enroll(base, TOKEN)).rejects.toThrow(/not what this agent understands/);
    answer = { status: 200, body: "<html>a web page</html>" };
    await expect(enroll(base, TOKEN)).rejects.toThrow(/not JSON: is BERTH_URL Berth's address/);
  });

  it("says when Berth cannot be reached", async () => {
    await expect(enroll("http://127.0.0.1:1", TOKEN)).rejects.toThrow(/Berth at http:\/\/127\.0\.0\.1:1 could not be reached: connect ECONNREFUSED/);
  });
});

describe("imageAgentConfig", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "berth-agent-home-"));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it("enrolls once, keeps the credentials readable by root alone, and reads them afterwards", async () => {
    const env = { BERTH_AGENT_HOME: path.join(home, "state"), BERTH_URL: base, BERTH_ENROLL_TOKEN: TOKEN };
    const cfg = await imageAgentConfig(env);
    expect(cfg).toEqual({
      hostId: HOST_ID,
      redisUrl: `rediss://host-${HOST_ID}:${PASSWORD}@10.0.0.5:6380/`,
      prefix: "bull",
      password: PASSWORD,
      ca: FIXTURE.ca,
      berthUrl: FIXTURE.berthUrl,
      registry: FIXTURE.registry,
    });
    const file = path.join(home, "state", "credentials.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual(FIXTURE);
    // The token is spent: the next start reads the file and asks Berth nothing.
    answer = { status: 410, body: {} };
    expect(await imageAgentConfig(env)).toEqual(cfg);
    expect(seen).toHaveLength(1);
  });

  it("without credentials or a token, says it is not enrolled", async () => {
    await expect(imageAgentConfig({ BERTH_AGENT_HOME: path.join(home, "empty") })).rejects.toThrow(
      /This agent is not enrolled: .* Run the install command from the Hosts page in Berth\./,
    );
  });

  it("refuses damaged credentials instead of enrolling again", async () => {
    fs.mkdirSync(path.join(home, "damaged"));
    fs.writeFileSync(path.join(home, "damaged", "credentials.json"), "{");
    await expect(imageAgentConfig({ BERTH_AGENT_HOME: path.join(home, "damaged"), BERTH_URL: base, BERTH_ENROLL_TOKEN: TOKEN })).rejects.toThrow(/are damaged/);
    expect(seen).toHaveLength(0);
  });
});

describe("removal", () => {
  const cfg = () => ({ hostId: HOST_ID, redisUrl: "rediss://x", prefix: "bull", password: PASSWORD, berthUrl: base });
  const noDocker = {} as Dockerode;

  it("asks whoami with the host's login; only 401 means removed", async () => {
    answer = { status: 200, body: { hostId: HOST_ID } };
    expect(await hostRemoved(cfg())).toBe(false);
    expect(seen[0]).toMatchObject({ url: "/api/agent/whoami", authorization: `Basic ${Buffer.from(`host-${HOST_ID}:${PASSWORD}`).toString("base64")}` });
    for (const status of [429, 500, 502]) {
      answer = { status, body: {} };
      expect(await hostRemoved(cfg())).toBe(false);
    }
    answer = { status: 401, body: { error: { code: "unauthorized", message: "no" } } };
    expect(await hostRemoved(cfg())).toBe(true);
    expect(await hostRemoved({ ...cfg(), berthUrl: undefined })).toBe(false);
  });

  it("ends the agent on a refused login only when Berth says the host is gone", async () => {
    const exits: number[] = [];
    const logs: string[] = [];
    const settle = () => new Promise((r) => setTimeout(r, 100));
    const watch = watchForRemoval({ cfg: cfg(), docker: noDocker, log: (m) => logs.push(m), exit: (c) => exits.push(c), intervalMs: 0 });

    watch(new Error("connect ECONNREFUSED 127.0.0.1:6380")); // not a refused login: Berth is not asked
    await settle();
    expect(seen).toHaveLength(0);

    answer = { status: 200, body: { hostId: HOST_ID } }; // a Redis restarted without its ACL users
    watch(new Error("WRONGPASS invalid username-password pair or user is disabled."));
    await settle();
    expect(exits).toEqual([]);

    const unreachable = watchForRemoval({
      cfg: { ...cfg(), berthUrl: "http://127.0.0.1:1" },
      docker: noDocker,
      log: (m) => logs.push(m),
      exit: (c) => exits.push(c),
    });
    unreachable(new Error("NOAUTH Authentication required."));
    await settle();
    expect(exits).toEqual([]);

    answer = { status: 401, body: {} };
    watch(new Error("WRONGPASS invalid username-password pair or user is disabled."));
    await settle();
    expect(exits).toEqual([0]);
    expect(logs).toContain(REMOVED_MESSAGE);
  });
});
