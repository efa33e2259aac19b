// The `berth` command line against a running Berth: the bin (cli/berth.mjs, which builds its bundle when
// stale) is run as a child process, as a user or a CI job would. The team, its host (a real agent process),
// the git services and the API tokens are made in-process through the data layer; everything the CLI does
// goes through the JSON API.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApiToken, revokeApiToken } from "@/lib/data/api-tokens";
import { resolveTeamContext, type TeamContext } from "@/lib/data/context";
import { createGitService } from "@/lib/data/git-services";
import { createHost } from "@/lib/data/hosts";
import { createProject } from "@/lib/data/projects";
import { createTeam } from "@/lib/data/teams";
import { signUp } from "@/lib/data/users";
import { db } from "@/lib/db";
import { imageRepository, routeId } from "@/lib/deploy/names";
import { closeAdminRedis } from "@/lib/redis/admin";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { waitFor } from "../tests/integration/support/wait";
import { ensureFixtureImage, FIXTURE_IMAGE } from "../tests/support/fixture-image";
import { makeBareRepo } from "../tests/support/git-repo";
import { proxyGet } from "../tests/support/proxy-http";

const docker = new Dockerode();
const baseUrl = () => inject("baseUrl");
const uniq = (p: string) => `${p}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

// The container says which release it serves on stdout and something on stderr, for `berth logs`.
const DOCKERFILE = `FROM ${FIXTURE_IMAGE}\nCOPY site/ /www/\nCMD ["sh", "-c", "echo serving $(cat /www/index.html); echo cli-stderr-line >&2; httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]\n`;

let ctx: TeamContext;
let agent: ChildProcess | undefined;
let repo: Awaited<ReturnType<typeof makeBareRepo>>;
let hostId = "";
let project = "";
const serviceIds: string[] = [];
const tokens = {} as Record<"deploy" | "secrets" | "read", { id: string; token: string }>;
let home = "";
let web = "";

type Run = { code: number | null; stdout: string; stderr: string };

/** Starts `berth …` with its own config directory and no BERTH_URL/BERTH_TOKEN unless given. */
function start(args: string[], o: { input?: string; env?: Record<string, string> } = {}) {
  const { BERTH_URL: _u, BERTH_TOKEN: _t, ...env } = process.env;
  const child = spawn(process.execPath, [path.join(process.cwd(), "cli/berth.mjs"), ...args], {
    cwd: home,
    env: { ...env, XDG_CONFIG_HOME: path.join(home, "config"), ...o.env },
  });
  const run: Run = { code: null, stdout: "", stderr: "" };
  child.stdout.on("data", (d) => (run.stdout += d));
  child.stderr.on("data", (d) => (run.stderr += d));
  child.stdin.end(o.input ?? "");
  const done = new Promise<Run>((resolve) => child.on("close", (code) => resolve({ ...run, code })));
  return { child, run, done };
}

const berth = (args: string[], o: { input?: string; env?: Record<string, string> } = {}) => start(args, o).done;

const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

beforeAll(async () => {
  await ensureFixtureImage(docker);
  repo = await makeBareRepo();
  await repo.commit({ Dockerfile: DOCKERFILE, "site/index.html": "release-one\n" }, "first release");
  await repo.commit({ Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN echo breaking-on-purpose && false\n` }, "broken", "broken");
  home = fs.mkdtempSync(path.join(os.tmpdir(), "berth-cli-e2e-"));

  const owner = await signUp({ name: "Cli Owner", email: `${uniq("cli")}@example.test`, password: "cli-password-1" });
  const team = await createTeam(owner, { name: `Cli ${uniq("t")}`, slug: uniq("cli") });
  ctx = await resolveTeamContext(owner, team.slug);
  const host = await createHost(ctx, { name: "cli-host" });
  hostId = host.id;
  agent = spawn(process.execPath, [path.join(process.cwd(), "dist/agent.cjs")], {
    env: { ...process.env, BERTH_AGENT_URL: host.agentUrl },
    stdio: process.env.BERTH_E2E_LOG ? "inherit" : "ignore",
  });
  const online = await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
    30_000,
  );
  expect(online.status).toBe("ONLINE");

  project = (await createProject(ctx, { name: uniq("shop") })).slug;
  const service = (name: string, branch: string) =>
    createGitService(ctx, project, "staging", { name, gitUrl: repo.url, gitBranch: branch, httpPort: "8080", healthPath: "/", healthTimeoutSec: "10", hostId });
  serviceIds.push((await service("web", "main")).id, (await service("broken", "broken")).id);
  web = `${project}/staging/web`;

  const token = async (name: keyof typeof tokens, scopes: string[]) => {
    const t = await createApiToken(ctx, { name: `cli-${name}`, scopes, expiresInDays: 1 });
    tokens[name] = { id: t.id, token: t.token };
  };
  await token("deploy", ["write"]);
  await token("secrets", ["read:secrets"]);
  await token("read", ["read"]);
}, 120_000);

afterAll(async () => {
  agent?.kill("SIGTERM");
  if (hostId) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.host.id=${hostId}`] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
  }
  for (const id of serviceIds) {
    await createProxy()
      .removeRoute(routeId(id))
      .catch(() => {});
    for (const img of await docker.listImages({ filters: { reference: [`${imageRepository(id)}:*`] } }))
      for (const tag of img.RepoTags ?? [])
        await docker
          .getImage(tag)
          .remove()
          .catch(() => {});
  }
  if (project)
    await docker
      .getNetwork(`berth-${project}-staging`)
      .remove()
      .catch(() => {});
  await closeAdminRedis();
  repo?.remove();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe("berth CLI", () => {
  it("logs in with a token from stdin, saving it for its owner only, and refuses a bad token without saving it", async () => {
    const bad = await berth(["login", baseUrl(), "--token-stdin"], { input: "berth_not-a-real-token\n" });
    expect(bad.code, show(bad)).toBe(3);
    expect(bad.stderr).toMatch(/not valid/);
    expect(fs.existsSync(path.join(home, "config/berth/config.json"))).toBe(false);

    const ok = await berth(["login", `${baseUrl()}/`, "--token-stdin"], { input: `${tokens.deploy.token}\n` });
    expect(ok.code, show(ok)).toBe(0);
    expect(ok.stdout).toContain(`Logged in to ${baseUrl()}`);
    expect(ok.stdout).toContain(`(${ctx.team.slug})`);
    expect(ok.stdout).toMatch(/Token: cli-deploy, scopes write/);
    const file = path.join(home, "config/berth/config.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ url: baseUrl(), token: tokens.deploy.token, team: ctx.team.slug });

    const me = await berth(["whoami"]);
    expect(me.code, show(me)).toBe(0);
    expect(me.stdout).toContain("User:  Cli Owner");
  });

  it("shows the status: hosts, then services", async () => {
    const r = await berth(["status"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/cli-host\s+ONLINE/);
    expect(r.stdout).toMatch(new RegExp(`${web}\\s+git\\s+cli-host\\s+-\\s+-`));
    const json = await berth(["status", "--json"]);
    expect(json.code, show(json)).toBe(0);
    const s = JSON.parse(json.stdout);
    expect(s.team.slug).toBe(ctx.team.slug);
    expect(
      s.projects[0].environments
        .find((e: { slug: string }) => e.slug === "staging")
        .services.map((v: { name: string }) => v.name)
        .sort(),
    ).toEqual(["broken", "web"]);
  });

  it("deploys with --wait: the steps, the log and the outcome, exit 0 when live", async () => {
    const r = await berth(["deploy", web, "--wait"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain(`Deploying ${web}: deployment #1`);
    expect(r.stdout).toContain(`${baseUrl()}/t/${ctx.team.slug}/deployments/`);
    for (const step of ["CLONING", "BUILDING", "STARTING", "HEALTH_CHECK"]) expect(r.stdout).toContain(`▸ ${step}`);
    expect(r.stdout).toMatch(/git clone --depth 1/);
    expect(r.stdout).toMatch(/✓ #1 LIVE\n$/);
    expect(r.stdout.indexOf("▸ BUILDING")).toBeLessThan(r.stdout.indexOf("▸ STARTING"));
    expect(r.stderr).not.toMatch(/\r/); // not a terminal: no spinner
    expect(await proxyGet(`web.staging.${project}.localhost`)).toEqual({ status: 200, body: "release-one\n" });
  });

  it("prints where to follow a deployment without --wait; exits 1 when one fails, and 4 for a service that does not exist", async () => {
    const queued = await berth(["deploy", `${project}/staging/broken`]);
    expect(queued.code, show(queued)).toBe(0);
    expect(queued.stdout).toMatch(
      new RegExp(`^Deploying ${project}/staging/broken: deployment #1 \\(\\w+\\)\n${baseUrl()}/t/${ctx.team.slug}/deployments/\\w+\n$`),
    );

    const r = await berth(["deploy", `${project}/staging/broken`, "--wait"]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout).toContain("breaking-on-purpose");
    expect(r.stdout).toMatch(/✗ #2 FAILED: .+/);

    const missing = await berth(["deploy", `${project}/staging/nope`]);
    expect(missing.code, show(missing)).toBe(4);
    expect(missing.stderr).toMatch(new RegExp(`^berth: ${project}/staging/nope: `));
  });

  it("pushes a .env file and pulls it back; secret values only with --secrets and read:secrets", async () => {
    fs.writeFileSync(path.join(home, ".env"), "# from the CLI\nGREETING=hello world\nAPI_KEY=s3cret-value\n");
    const push = await berth(["env", "push", `${project}/staging`, "--secret", "API_KEY"]);
    expect(push.code, show(push)).toBe(0);
    expect(push.stdout).toContain(`${project}/staging: 2 created, 0 updated, 0 unchanged`);
    expect(push.stdout).toMatch(/created: (API_KEY, GREETING|GREETING, API_KEY)/);

    fs.writeFileSync(path.join(home, "changed.env"), "GREETING=hi\nAPI_KEY=s3cret-value\n");
    const again = await berth(["env", "push", `${project}/staging`, "changed.env"]);
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toContain("0 created, 1 updated, 1 unchanged");

    const pull = await berth(["env", "pull", `${project}/staging`]);
    expect(pull.code, show(pull)).toBe(0);
    expect(pull.stdout).toContain('GREETING="hi"');
    expect(pull.stdout).toContain("API_KEY"); // named in a comment…
    expect(pull.stdout).not.toContain("s3cret-value"); // …its value left out

    // The deploy token has no read:secrets: refused with the server's reason, nothing written.
    const refused = await berth(["env", "pull", `${project}/staging`, "--secrets", "-o", "secrets.env"]);
    expect(refused.code, show(refused)).toBe(3);
    expect(refused.stderr).toContain('lacks the "read:secrets" scope');
    expect(fs.existsSync(path.join(home, "secrets.env"))).toBe(false);

    // A token with read:secrets (from the environment, as in CI) gets them, in a file only its owner reads.
    const env = { BERTH_URL: baseUrl(), BERTH_TOKEN: tokens.secrets.token };
    const secret = await berth(["env", "pull", `${project}/staging`, "--secrets", "-o", "secrets.env"], { env });
    expect(secret.code, show(secret)).toBe(0);
    expect(secret.stderr).toContain("Wrote 2 variables");
    const file = path.join(home, "secrets.env");
    expect(fs.readFileSync(file, "utf8")).toContain('API_KEY="s3cret-value"');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // A read token cannot push.
    const readOnly = await berth(["env", "push", `${project}/staging`], { env: { BERTH_URL: baseUrl(), BERTH_TOKEN: tokens.read.token } });
    expect(readOnly.code, show(readOnly)).toBe(3);
    expect(readOnly.stderr).toContain('lacks the "write" scope');
  });

  it("prints the service's log, stdout and stderr apart", async () => {
    const r = await berth(["logs", web, "--tail", "50"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain("serving release-one");
    expect(r.stderr).toContain("cli-stderr-line");
    expect(r.stdout).not.toContain("cli-stderr-line");
  });

  it("deploys a new commit (--json); Ctrl-C stops watching but not the deployment; rolls back to #1 with --wait", async () => {
    await repo.commit({ "site/index.html": "release-two\n" }, "second release");
    const two = await berth(["deploy", web, "--wait", "--json"]);
    expect(two.code, show(two)).toBe(0);
    const out = JSON.parse(two.stdout); // stdout holds only the JSON; the log went to stderr
    expect(out).toMatchObject({ number: 2, status: "LIVE", error: null });
    expect(out.url).toBe(`${baseUrl()}/t/${ctx.team.slug}/deployments/${out.id}`);
    expect(two.stderr).toContain("▸ BUILDING");
    expect(await proxyGet(`web.staging.${project}.localhost`)).toEqual({ status: 200, body: "release-two\n" });

    await repo.commit({ "site/index.html": "release-three\n" }, "third release");
    const watching = start(["deploy", web, "--wait"]);
    await waitFor(
      async () => watching.run.stdout,
      (o) => o.includes("▸ BUILDING"),
      60_000,
    );
    watching.child.kill("SIGINT");
    const stopped = await watching.done;
    expect(stopped.code, show(stopped)).toBe(130);
    expect(stopped.stderr).toMatch(/Stopped watching\. Deployment #3 keeps running: http/);
    const three = await waitFor(
      () => db.deployment.findFirstOrThrow({ where: { serviceId: serviceIds[0], number: 3 } }),
      (d) => ["LIVE", "FAILED", "CANCELLED"].includes(d.status),
      60_000,
    );
    expect(three.status).toBe("LIVE");

    const noSuch = await berth(["rollback", web, "9"]);
    expect(noSuch.code, show(noSuch)).toBe(4);
    expect(noSuch.stderr).toContain(`${web} has no deployment #9 (its last 3 are #1 to #3)`);

    // A follower of the log sees the release rolled back to start in a container of its own.
    const follower = start(["logs", web, "--follow", "--tail", "5"]);
    await waitFor(
      async () => follower.run.stdout,
      (o) => o.includes("serving release-three"),
      30_000,
    );
    const back = await berth(["rollback", web, "#1", "--wait"]);
    expect(back.code, show(back)).toBe(0);
    const followed = await waitFor(
      async () => follower.run,
      (r) => r.stdout.includes("serving release-one"),
      30_000,
    );
    follower.child.kill("SIGINT");
    await follower.done;
    expect(followed.stdout.indexOf("serving release-one"), show(followed)).toBeGreaterThan(followed.stdout.indexOf("serving release-three"));
    expect(followed.stderr).toMatch(/\(now showing berth-[\w-]+\)/);
    expect(back.stdout).toContain(`Rolling ${web} back to #1: deployment #4`);
    expect(back.stdout).toMatch(/✓ #4 LIVE\n$/);
    expect(await proxyGet(`web.staging.${project}.localhost`)).toEqual({ status: 200, body: "release-one\n" });

    const status = await berth(["status"]);
    expect(status.stdout).toMatch(new RegExp(`${web}\\s+git\\s+cli-host\\s+#4\\b.*#4 LIVE`));
  });

  it("exits 3 once the token is revoked, and 5 when Berth cannot be reached", async () => {
    await revokeApiToken(ctx, tokens.deploy.id);
    const r = await berth(["status"]);
    expect(r.code, show(r)).toBe(3);
    expect(r.stderr).toContain("revoked");
    expect(r.stderr).toContain(`berth login ${baseUrl()}`);

    const down = await berth(["status"], { env: { BERTH_URL: "http://127.0.0.1:1", BERTH_TOKEN: tokens.read.token } });
    expect(down.code, show(down)).toBe(5);
    expect(down.stderr).toContain("Cannot reach Berth at http://127.0.0.1:1");

    const out = await berth(["logout"]);
    expect(out.code, show(out)).toBe(0);
    expect(fs.existsSync(path.join(home, "config/berth/config.json"))).toBe(false);
    const after = await berth(["status"]);
    expect(after.code, show(after)).toBe(3);
    expect(after.stderr).toContain("Not logged in");
  });
});
