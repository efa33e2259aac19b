// The access token really reaches a git server: a small HTTP server that insists on the Authorization
// header and hands the request to `git http-backend` (CGI), cloned with the environment gitAuthEnv() gives.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitProcessEnv } from "@/lib/git/env";
import { explainGitFailure } from "@/lib/git/explain";
import { gitAuthEnv, type GitAuth } from "@/workers/agent/build/git-auth";
import { runProcess } from "@/workers/agent/build/run-process";

const run = promisify(execFile);
const HTTP_BACKEND = "/usr/lib/git-core/git-http-backend";
const TOKEN = "ghs_integrationTestToken42";
const EXPECTED = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "berth-git-auth-"));
const root = path.join(tmp, "repos");
const seen: { url: string; authorization?: string }[] = [];
let server: http.Server;
let base = "";

/** Runs git http-backend for one request. The whole body is buffered: the test repository is tiny. */
function cgi(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
  const url = new URL(req.url ?? "/", "http://localhost");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    REMOTE_USER: "x-access-token",
    CONTENT_LENGTH: String(body.length),
  };
  if (req.headers["content-type"]) env.CONTENT_TYPE = req.headers["content-type"];
  if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
  const proto = req.headers["git-protocol"];
  if (typeof proto === "string") env.HTTP_GIT_PROTOCOL = proto;
  const child = spawn(HTTP_BACKEND, [], { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "inherit"] });
  const out: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => out.push(c));
  child.on("close", () => {
    const all = Buffer.concat(out);
    let split = all.indexOf("\r\n\r\n");
    let sep = 4;
    if (split < 0) {
      split = all.indexOf("\n\n");
      sep = 2;
    }
    const head = all.subarray(0, split).toString("latin1");
    let status = 200;
    for (const line of head.split(/\r?\n/)) {
      const i = line.indexOf(":");
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === "status") status = parseInt(value, 10);
      else if (name) res.setHeader(name, value);
    }
    res.statusCode = status;
    res.end(all.subarray(split + sep));
  });
  child.stdin.end(body);
}

beforeAll(async () => {
  fs.mkdirSync(root);
  const bare = path.join(root, "repo.git");
  const work = path.join(tmp, "work");
  await run("git", ["init", "--bare", "--initial-branch=main", bare]);
  await run("git", ["init", "--initial-branch=main", work]);
  fs.writeFileSync(path.join(work, "README"), "private content\n");
  await run("git", ["-C", work, "add", "README"]);
  await run("git", ["-C", work, "-c", "user.name=Test", "-c", "user.email=test@example.test", "commit", "-m", "private commit"]);
  await run("git", ["-C", work, "push", bare, "main"]);

  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
      if (req.headers.authorization !== EXPECTED) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="berth-test"' }).end("unauthorised\n");
        return;
      }
      cgi(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function clone(auth: GitAuth, name: string, repoName = "repo.git") {
  const dir = path.join(tmp, name);
  const work = fs.mkdtempSync(path.join(tmp, "auth-"));
  const creds = await gitAuthEnv(auth, work);
  // Production allows https and ssh only; this test server speaks plain http on the loopback.
  const env = { ...gitProcessEnv(process.env), GIT_ALLOW_PROTOCOL: "http", ...creds.env };
  const args = ["clone", "--depth", "1", "--branch", "main", "--", `${base}/${repoName}`, dir];
  try {
    return { args, dir, ...(await runProcess("git", args, { env })) };
  } finally {
    await creds.cleanup();
  }
}

describe("token credentials over http", () => {
  it("clones when the token is right, with the token only in a header", async () => {
    seen.length = 0;
    const r = await clone({ kind: "token", token: TOKEN }, "ok");
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(r.dir, "README"), "utf8")).toBe("private content\n");
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((s) => s.authorization === EXPECTED)).toBe(true);
    expect(seen.some((s) => s.url.includes(TOKEN))).toBe(false);
    expect(r.args.join(" ")).not.toContain(TOKEN);
    // The clone's own config does not keep the credential either.
    expect(fs.readFileSync(path.join(r.dir, ".git", "config"), "utf8")).not.toMatch(/extraheader|Authorization/i);
  });

  it("fails with a wrong token, without prompting", async () => {
    const r = await clone({ kind: "token", token: "ghs_wrong" }, "wrong");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/terminal prompts disabled|Authentication failed|401/);
    expect(fs.existsSync(path.join(r.dir, "README"))).toBe(false);
  });

  it("fails without credentials", async () => {
    const r = await clone({ kind: "none" }, "none");
    expect(r.code).not.toBe(0);
    expect(fs.existsSync(path.join(r.dir, "README"))).toBe(false);
  });

  it("explains what git says: a refused token, a private repository without one, a missing repository", async () => {
    const wrong = await clone({ kind: "token", token: "ghs_wrong" }, "explain-wrong");
    expect(explainGitFailure(wrong.stderr, { access: "token" })).toMatchObject({
      kind: "credentials-refused",
      title: "The git server refused the access token",
    });
    const none = await clone({ kind: "none" }, "explain-none");
    expect(explainGitFailure(none.stderr, { access: "none" })).toMatchObject({ kind: "credentials-refused", title: "The git server wants credentials" });
    const missing = await clone({ kind: "token", token: TOKEN }, "explain-missing", "missing.git");
    const p = explainGitFailure(missing.stderr, { access: "token" });
    expect(p.kind).toBe("repository-not-found");
    expect(p.reason).toMatch(/missing\.git\/' not found/);
  });
});
