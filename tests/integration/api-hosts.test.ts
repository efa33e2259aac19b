// The hosts operations through the chain (lib/api/invoke.ts), as the JSON API and the CLI call them: a
// session of the team and one of another team (not found), real API tokens with and without the scope an
// operation needs (and limited to a project), against a real agent, Docker and a deployed service whose logs
// stream with its secret masked.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoke } from "@/lib/api/invoke";
import type { Operation } from "@/lib/api/operation";
import * as ops from "@/lib/api/operations/hosts";
import type { Principal } from "@/lib/api/principal";
import { db } from "@/lib/db";
import { MASK } from "@/lib/config/mask";
import { createApiToken } from "@/lib/data/api-tokens";
import type { TeamContext } from "@/lib/data/context";
import { createHost } from "@/lib/data/hosts";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService } from "@/lib/data/services";
import { setVariable } from "@/lib/data/variables";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { closeHostCalls } from "@/lib/hosts/call-host";
import { closeAdminRedis } from "@/lib/redis/admin";
import type { Scope } from "@/lib/scopes";
import { parseAgentUrl } from "@/workers/agent/config";
import { startAgent } from "@/workers/agent/start";
import { startControlWorker } from "@/workers/control/start";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabelArgs } from "../support/fixture-image";
import { openSignUp } from "../support/signup-policy";
import { deployImageAndSettle, removeReleaseTags } from "./support/deploy";
import { addMember, makeTeam, uniq } from "./support/factory";
import { waitFor } from "./support/wait";

const run = promisify(execFile);
const docker = new Dockerode();
const SECRET = "api-logs-secret-7c1e";

let owner: TeamContext;
let stranger: TeamContext;
let hostId: string;
let agent: Awaited<ReturnType<typeof startAgent>>;
let control: ReturnType<typeof startControlWorker>;
let project: { id: string; slug: string };
let service: { id: string };

const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test-session" });
const tokenOf = async (ctx: TeamContext, scopes: Scope[], limit: { projectId?: string } = {}): Promise<Principal> => ({
  kind: "token",
  token: (await createApiToken(ctx, { name: uniq("tok"), scopes, ...limit })).token,
});
/** One call through the chain, into `team` (the owner's, unless another is named). */
// biome-ignore lint/suspicious/noExplicitAny: each answer is held to what the test expects of it
const call = (op: Operation, who: Principal, input: Record<string, unknown> = {}, team = owner.team.slug): Promise<any> =>
  invoke(op, who, { team, input: () => input }, { ip: "127.0.0.1" });

type Event = { event: string; data: string };
/** Reads server-sent events until `enough` says so (or the stream ends), then lets the stream go. */
async function events(res: Response, enough: (evs: Event[]) => boolean): Promise<Event[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const evs: Event[] = [];
  let buf = "";
  try {
    while (!enough(evs)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
        const fields = buf.slice(0, i).split("\n");
        buf = buf.slice(i + 2);
        const data = fields.find((f) => f.startsWith("data: "));
        if (data) evs.push({ event: fields.find((f) => f.startsWith("event: "))?.slice(7) ?? "message", data: data.slice(6) });
      }
    }
  } finally {
    await reader.cancel();
  }
  return evs;
}
const json = (e: Event) => JSON.parse(e.data) as Record<string, unknown>;
const lines = (evs: Event[]) => evs.filter((e) => e.event === "message").map((e) => String(json(e).line));
const ticks = (evs: Event[]) => lines(evs).flatMap((l) => (/^tick-(\d+)$/.exec(l) ? [Number(l.slice(5))] : []));

async function cliContainer(...cmd: string[]) {
  const { stdout } = await run("docker", ["run", "-d", "--name", uniq("api"), ...testLabelArgs(), "--stop-timeout", "1", FIXTURE_IMAGE, ...cmd]);
  const id = stdout.trim();
  await waitFor(
    () => db.container.findFirst({ where: { hostId, dockerId: id } }),
    (c) => c?.state === "running",
  );
  return id;
}

beforeAll(async () => {
  await openSignUp();
  await ensureFixtureImage(docker);
  owner = await makeTeam();
  stranger = await makeTeam();
  const host = await createHost(owner, { name: "api-host" });
  hostId = host.id;
  control = startControlWorker();
  agent = await startAgent(parseAgentUrl(host.agentUrl), { log: () => {}, heartbeatMs: 500 });
  await waitFor(
    () => db.host.findUniqueOrThrow({ where: { id: hostId } }),
    (h) => h.status === "ONLINE",
  );
  project = await createProject(owner, { name: uniq("logs") });
  const { env } = await getEnvironment(owner, project.slug, "staging");
  await setVariable(owner, { scope: "ENVIRONMENT", environmentId: env.id }, { key: "API_KEY", value: SECRET, secret: true });
  service = await createService(owner, project.slug, "staging", {
    name: "ticker",
    image: FIXTURE_IMAGE,
    command: 'sh\n-c\necho "hello key=$API_KEY"; i=0; while true; do i=$((i+1)); echo tick-$i; sleep 1; done',
    hostId,
  });
  const { deployment } = await deployImageAndSettle(owner, service.id);
  expect(deployment.error).toBeNull();
  await waitFor(
    () => db.container.findFirst({ where: { hostId, state: "running", labels: { path: ["berth.deployment.id"], equals: deployment.id } } }),
    (c) => c !== null,
  );
});

afterAll(async () => {
  await agent?.stop();
  await control?.close();
  await closeHostCalls();
  await closeAdminRedis();
  if (service) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`berth.service.id=${service.id}`] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    await removeReleaseTags([service.id]);
  }
  if (project)
    await docker
      .getNetwork(`berth-${project.slug}-staging`)
      .remove()
      .catch(() => {});
  await removeTestContainers(docker);
});

describe("hosts through the API chain", () => {
  it("lists and reads hosts without hashes; another team's member finds nothing", async () => {
    const { hosts } = await call(ops.listHostsOp, session(owner));
    expect((hosts as { id: string }[]).map((h) => h.id)).toEqual([hostId]);
    const one = (await call(ops.getHostOp, session(owner), { hostId })) as Record<string, unknown>;
    expect(one).toMatchObject({ id: hostId, name: "api-host", status: "ONLINE" });
    expect(typeof one.memTotalBytes).toBe("number");
    for (const key of ["tokenHash", "enrollTokenHash", "teamId", "images"]) expect(one).not.toHaveProperty(key);

    // Another team's member: not through their own team, not through ours.
    await expect(call(ops.getHostOp, session(stranger), { hostId }, stranger.team.slug)).rejects.toBeInstanceOf(NotFoundError);
    await expect(call(ops.getHostOp, session(stranger), { hostId })).rejects.toBeInstanceOf(NotFoundError);
    expect((await call(ops.listHostsOp, session(stranger), {}, stranger.team.slug)) as unknown).toEqual({ hosts: [], total: 0, page: 1, limit: 50 });
  });

  it("adds, renames, configures and removes a host; the install command is shown once and needs the admin scope", async () => {
    const reader = await tokenOf(owner, ["read", "deploy", "write"]);
    await expect(call(ops.addHostOp, reader, { name: "nope" })).rejects.toThrow(/lacks the "admin" scope/);
    const admin = await tokenOf(owner, ["admin"]);
    const added = (await call(ops.addHostOp, admin, { name: "  second  " })) as { id: string; name: string; install: Record<string, unknown> };
    expect(added.name).toBe("second");
    expect(added.install.curl).toMatch(/^curl -fsSL \S+\/api\/agent\/install\/\S+ \| sh$/);
    expect(typeof added.install.expiresAt).toBe("string");
    const again = (await call(ops.newInstallCommandOp, session(owner), { hostId: added.id })) as { curl: string; name: string };
    expect(again.name).toBe("second");
    expect(again.curl).not.toBe(added.install.curl);

    await expect(call(ops.renameHostOp, admin, { hostId: added.id, name: "" })).rejects.toBeInstanceOf(ValidationError);
    expect(await call(ops.renameHostOp, admin, { hostId: added.id, name: "renamed" })).toMatchObject({ id: added.id, name: "renamed" });
    // As a form sends it: strings, the checkbox "on".
    const settings = { hostId: added.id, baseDomain: "Apps.Example.com", buildConcurrency: "3", allowPrivateNetworks: "on" };
    expect(await call(ops.hostDeploySettingsOp, session(owner), settings)).toMatchObject({
      baseDomain: "apps.example.com",
      buildConcurrency: 3,
      allowPrivateNetworks: true,
    });
    // As JSON sends it.
    expect(
      await call(ops.hostDeploySettingsOp, admin, { hostId: added.id, baseDomain: "localhost", buildConcurrency: 2, allowPrivateNetworks: false }),
    ).toMatchObject({
      buildConcurrency: 2,
      allowPrivateNetworks: false,
    });
    await expect(call(ops.updateAgentOp, admin, { hostId: added.id })).rejects.toBeInstanceOf(ConflictError); // not an agent image's

    const developer = await addMember(owner, "DEVELOPER");
    await expect(call(ops.removeHostOp, session(developer), { hostId: added.id })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(call(ops.removeHostOp, session(stranger), { hostId: added.id }, stranger.team.slug)).rejects.toBeInstanceOf(NotFoundError);
    expect(await call(ops.removeHostOp, admin, { hostId: added.id })).toBeUndefined();
    expect(await db.host.findUnique({ where: { id: added.id } })).toBeNull();
  });

  it("holds a token limited to a project away from team-wide host operations", async () => {
    const limited = await tokenOf(owner, ["admin"], { projectId: project.id });
    await expect(call(ops.listHostsOp, limited)).rejects.toThrow(/limited to one project/);
    await expect(call(ops.listContainersOp, limited, { hostId })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("containers through the API chain", () => {
  it("lists, reads, inspects and samples with the read scope; acting needs deploy, revealing needs read:secrets", async () => {
    const id = await cliContainer("sh", "-c", "echo out-line; echo err-line >&2; sleep 3600");
    const reader = await tokenOf(owner, ["read"]);
    const { containers } = (await call(ops.listContainersOp, reader, { hostId, q: id.slice(0, 12) })) as { containers: { dockerId: string }[] };
    expect(containers.map((c) => c.dockerId)).toEqual([id]);
    await expect(call(ops.listContainersOp, reader, { hostId, state: "sleeping" })).rejects.toThrow(/state: one of/);
    const one = (await call(ops.getContainerOp, reader, { hostId, dockerId: id })) as Record<string, unknown>;
    expect(one).toMatchObject({ dockerId: id, state: "running", host: { id: hostId, name: "api-host" } });
    expect(one).not.toHaveProperty("id");
    expect(await call(ops.inspectContainerOp, reader, { hostId, dockerId: id })).toMatchObject({ image: FIXTURE_IMAGE });
    expect(await call(ops.containerStatsOp, reader, { hostId, dockerId: id })).toMatchObject({ memUsedBytes: expect.any(Number) });

    const logs = (await waitFor(
      () => call(ops.containerLogsOp, reader, { hostId, dockerId: id, tail: "10", timestamps: "0" }),
      (r: { lines: unknown[] }) => r.lines.length === 2,
    )) as { lines: { stream: string; text: string; ts: string | null }[] };
    expect(logs.lines.map((l) => [l.stream, l.text, l.ts])).toEqual(
      expect.arrayContaining([
        ["stdout", "out-line", null],
        ["stderr", "err-line", null],
      ]),
    );
    await expect(call(ops.containerLogsOp, reader, { hostId, dockerId: id, tail: "0" })).rejects.toThrow(/tail: at least 1/);

    await expect(call(ops.containerActionOp, reader, { hostId, dockerId: id, action: "stop" })).rejects.toThrow(/lacks the "deploy" scope/);
    await expect(call(ops.revealContainerEnvOp, reader, { hostId, dockerId: id })).rejects.toThrow(/lacks the "read:secrets" scope/);
    const deployer = await tokenOf(owner, ["deploy"]);
    await expect(call(ops.containerActionOp, deployer, { hostId, dockerId: id, action: "explode" })).rejects.toThrow(/Choose one of/);
    expect(await call(ops.containerActionOp, deployer, { hostId, dockerId: id, action: "stop" })).toBeUndefined();
    expect((await docker.getContainer(id).inspect()).State.Status).toBe("exited");
    const secrets = await tokenOf(owner, ["read:secrets"]);
    const { env } = (await call(ops.revealContainerEnvOp, secrets, { hostId, dockerId: id })) as { env: { name: string }[] };
    expect(env.map((e) => e.name)).toContain("PATH");

    // A viewer reads but does not act; another team sees nothing.
    const viewer = await addMember(owner, "VIEWER");
    expect(await call(ops.getContainerOp, session(viewer), { hostId, dockerId: id })).toMatchObject({ dockerId: id });
    await expect(call(ops.containerActionOp, session(viewer), { hostId, dockerId: id, action: "start" })).rejects.toBeInstanceOf(ForbiddenError);
    for (const op of [ops.getContainerOp, ops.containerLogsOp, ops.containerStatsOp, ops.revealContainerEnvOp])
      await expect(call(op, session(stranger), { hostId, dockerId: id }, stranger.team.slug), op.id).rejects.toBeInstanceOf(NotFoundError);
    await expect(call(ops.containerActionOp, session(stranger), { hostId, dockerId: id, action: "remove" }, stranger.team.slug)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(call(ops.removeImageOp, session(stranger), { hostId, imageId: "sha256:0123456789ab" }, stranger.team.slug)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await call(ops.containerActionOp, session(owner), { hostId, dockerId: id, action: "remove" })).toBeUndefined();
  });

  it("opens a terminal for an admin's browser session only, and only its opener reads it", async () => {
    const id = await cliContainer("sleep", "3600");
    const admin = await tokenOf(owner, ["admin"]);
    await expect(call(ops.openTerminalOp, admin, { hostId, dockerId: id, cols: 80, rows: 24 })).rejects.toThrow(/API tokens cannot do this/);
    const developer = await addMember(owner, "DEVELOPER");
    await expect(call(ops.openTerminalOp, session(developer), { hostId, dockerId: id, cols: 80, rows: 24 })).rejects.toBeInstanceOf(ForbiddenError);

    const { sessionId } = (await call(ops.openTerminalOp, session(owner), { hostId, dockerId: id, cols: "80", rows: "24" })) as { sessionId: string };
    const otherAdmin = await addMember(owner, "ADMIN");
    await expect(call(ops.terminalOutputOp, session(otherAdmin), { sessionId })).rejects.toBeInstanceOf(NotFoundError);
    await expect(call(ops.terminalInputOp, session(otherAdmin), { sessionId, type: "close" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(call(ops.terminalInputOp, session(owner), { sessionId, type: "shout" })).rejects.toBeInstanceOf(ValidationError);

    const res = (await call(ops.terminalOutputOp, session(owner), { sessionId })) as Response;
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    await call(ops.terminalInputOp, session(owner), { sessionId, type: "data", data: "echo berth-$((40+2))\n" });
    // The stream's data is base64 terminal bytes, not JSON.
    const decoded = (evs: Event[]) => evs.map((e) => Buffer.from(e.data, "base64").toString()).join("");
    const text = decoded(await events(res, (evs) => decoded(evs).includes("berth-42")));
    expect(text).toContain("berth-42");
    await call(ops.terminalInputOp, session(owner), { sessionId, type: "close" });
  });
});

describe("a service's logs", () => {
  it("streams the tail with its secret masked, then ends; a token limited to the service's project may read them", async () => {
    const live = await db.container.findFirstOrThrow({ where: { hostId, state: "running", labels: { path: ["berth.service.id"], equals: service.id } } });
    await waitFor(
      () => call(ops.containerLogsOp, session(owner), { hostId, dockerId: live.dockerId, tail: "10" }),
      (r) => r.lines.length >= 6, // the hello line and five ticks
    );
    const limited = await tokenOf(owner, ["read"], { projectId: project.id });
    const res = (await call(ops.serviceLogsOp, limited, { serviceId: service.id, tail: "5" })) as Response;
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const evs = await events(res, () => false);
    expect(evs[0]!.event).toBe("container");
    expect(json(evs[0]!)).toMatchObject({ hostId, name: expect.any(String) });
    expect(evs.at(-1)!.event).toBe("end");
    const got = evs.filter((e) => e.event === "message");
    expect(got.length).toBe(5);
    for (const e of got) expect(json(e)).toEqual({ line: expect.stringMatching(/^tick-\d+$/), stream: "stdout", time: expect.stringMatching(/^\d{4}-/) });

    const all = lines(await events((await call(ops.serviceLogsOp, limited, { serviceId: service.id, tail: "5000" })) as Response, () => false));
    expect(all.find((l) => l.startsWith("hello key="))).toBe(`hello key=${MASK}`);
  });

  it("follows new lines", async () => {
    const res = (await call(ops.serviceLogsOp, session(owner), { serviceId: service.id, tail: "1", follow: "1" })) as Response;
    let first = 0;
    const evs = await events(res, (evs) => {
      const t = ticks(evs);
      first ||= t[0] ?? 0;
      return t.length >= 3;
    });
    const t = ticks(evs);
    expect(t.length).toBeGreaterThanOrEqual(3);
    // Each line once, in order, none skipped.
    expect(t).toEqual(t.map((_, i) => first + i));
    expect(evs.some((e) => e.event === "end")).toBe(false);
  });

  it("with no tail, sends only lines that come after (as the CLI reopens a dropped stream)", async () => {
    const before = ticks(await events((await call(ops.serviceLogsOp, session(owner), { serviceId: service.id, tail: "1" })) as Response, () => false));
    const res = (await call(ops.serviceLogsOp, session(owner), { serviceId: service.id, tail: "0", follow: "1" })) as Response;
    const t = ticks(await events(res, (evs) => ticks(evs).length >= 2));
    expect(t[0]).toBeGreaterThan(before[0]!);
    expect(t[1]).toBe(t[0]! + 1);
  });

  it("when following, moves to the new release's container and reads it from its start", async () => {
    const res = (await call(ops.serviceLogsOp, session(owner), { serviceId: service.id, tail: "1", follow: "1" })) as Response;
    const afterSwitch = (evs: Event[]) => evs.slice(evs.findIndex((e, i) => i > 0 && e.event === "container"));
    const reading = events(res, (evs) => evs.some((e, i) => i > 0 && e.event === "container") && ticks(afterSwitch(evs)).length > 0);
    const { deployment } = await deployImageAndSettle(owner, service.id);
    expect(deployment.status).toBe("LIVE");
    const evs = await reading;
    const containers = evs.filter((e) => e.event === "container").map((e) => json(e).dockerId);
    expect(containers).toHaveLength(2);
    expect(containers[1]).not.toBe(containers[0]);
    expect(lines(afterSwitch(evs)).slice(0, 2)).toEqual([`hello key=${MASK}`, "tick-1"]);
    expect(evs.some((e) => e.event === "end")).toBe(false);
  }, 60_000);

  it("is refused beyond a token's project, not found for another team, and a conflict when nothing runs", async () => {
    const other = await createProject(owner, { name: uniq("elsewhere") });
    const elsewhere = await tokenOf(owner, ["read"], { projectId: other.id });
    await expect(call(ops.serviceLogsOp, elsewhere, { serviceId: service.id })).rejects.toThrow(/limited to one project/);
    await expect(call(ops.serviceLogsOp, session(stranger), { serviceId: service.id }, stranger.team.slug)).rejects.toBeInstanceOf(NotFoundError);
    await expect(call(ops.serviceLogsOp, session(owner), { serviceId: service.id, tail: "lots" })).rejects.toThrow(/tail: a number/);
    const idle = await createService(owner, other.slug, "staging", { name: "idle", image: FIXTURE_IMAGE, hostId });
    await expect(call(ops.serviceLogsOp, session(owner), { serviceId: idle.id })).rejects.toThrow(
      expect.objectContaining({ status: 409, message: "idle has no running container: it has not been deployed yet." }),
    );
  });
});
