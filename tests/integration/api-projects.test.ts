// Projects, environments and configuration transfer through the chain (lib/api/invoke.ts), as the console's
// forms and the CLI call them: a session, and real API tokens with scopes and project/environment limits.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { apiHandlers } from "@/lib/api/http";
import { invoke } from "@/lib/api/invoke";
import type { Operation } from "@/lib/api/operation";
import {
  cloneEnvironmentOp,
  createEnvironmentOp,
  deleteEnvironmentOp,
  exportDotenvOp,
  getProjectOp,
  importDotenvOp,
  listProjectsOp,
  previewDotenvOp,
  projectOps,
  promoteConfigOp,
  protectEnvironmentOp,
  putDotenvOp,
  renameProjectOp,
  serviceLookupOp,
  teamStatusOp,
} from "@/lib/api/operations/projects";
import type { Principal } from "@/lib/api/principal";
import { createApiToken } from "@/lib/data/api-tokens";
import type { TeamContext } from "@/lib/data/context";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { createService } from "@/lib/data/services";
import { openVariables, setVariable } from "@/lib/data/variables";
import { db } from "@/lib/db";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { addMember, makeTeam, uniq } from "./support/factory";

const META = { ip: "127.0.0.1" };
const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test" });

function call(op: Operation, who: Principal, team: string, input: Record<string, unknown> = {}) {
  return invoke(op, who, { team, input: () => input }, META);
}

async function token(owner: TeamContext, scopes: string[], limit: { projectId?: string; environmentId?: string } = {}): Promise<Principal> {
  const t = await createApiToken(owner, { name: uniq("tok"), scopes, ...limit });
  return { kind: "token", token: t.token };
}

async function text(out: unknown): Promise<string> {
  expect(out).toBeInstanceOf(Response);
  return (out as Response).text();
}

/** A team with two projects; shop has a service on a host in staging and a live release. */
async function setup() {
  const owner = await makeTeam();
  const shop = await createProject(owner, { name: "Shop" });
  const blog = await createProject(owner, { name: "Blog" });
  const staging = (await getEnvironment(owner, shop.slug, "staging")).env;
  const production = (await getEnvironment(owner, shop.slug, "production")).env;
  const used = await db.host.create({
    data: { teamId: owner.team.id, name: uniq("used"), tokenHash: randomBytes(32).toString("hex"), status: "OFFLINE", lastHeartbeatAt: new Date() },
  });
  const idle = await db.host.create({ data: { teamId: owner.team.id, name: uniq("idle"), tokenHash: randomBytes(32).toString("hex") } });
  const api = await createService(owner, shop.slug, "staging", { name: "api", image: "nginx:1.27" });
  await db.service.update({ where: { id: api.id }, data: { hostId: used.id } });
  const live = await db.deployment.create({
    data: {
      teamId: owner.team.id,
      serviceId: api.id,
      number: 1,
      status: "LIVE",
      trigger: "manual",
      image: "nginx:1.27",
      actorEmail: owner.actor.email,
      finishedAt: new Date(),
    },
  });
  await db.deployment.create({
    data: { teamId: owner.team.id, serviceId: api.id, number: 2, status: "QUEUED", trigger: "manual", actorEmail: owner.actor.email },
  });
  await db.service.update({ where: { id: api.id }, data: { liveDeploymentId: live.id } });
  await createService(owner, shop.slug, "production", { name: "api", image: "nginx:1.27" });
  await createService(owner, blog.slug, "staging", { name: "web", image: "nginx:1.27" });
  return { owner, team: owner.team.slug, shop, blog, staging, production, used, idle, api, live };
}

type Status = { hosts: { name: string }[]; projects: { slug: string; environments: { slug: string; services: Record<string, unknown>[] }[] }[] };
const places = (s: Status) => s.projects.map((p) => `${p.slug}:${p.environments.map((e) => e.slug).join(",")}`);

describe("the team's status", () => {
  it("shows a session everything, with live and latest deployments and no private columns", async () => {
    const { owner, team, shop, blog, used, idle, api, live } = await setup();
    const s = (await call(teamStatusOp, session(owner), team)) as Status;
    expect(places(s)).toEqual([`${blog.slug}:development,staging,production`, `${shop.slug}:development,staging,production`]);
    expect(s.hosts.map((h) => h.name).sort()).toEqual([idle.name, used.name].sort());
    const svc = s.projects.find((p) => p.slug === shop.slug)!.environments.find((e) => e.slug === "staging")!.services[0]!;
    expect(svc).toEqual({
      id: api.id,
      name: "api",
      kind: "image",
      host: used.name,
      live: { id: live.id, number: 1, status: "LIVE", commitSha: null, image: "nginx:1.27", finishedAt: live.finishedAt!.toISOString() },
      latest: { id: expect.any(String), number: 2, status: "QUEUED", createdAt: expect.any(String) },
    });
    expect(JSON.stringify(s)).not.toMatch(/"(tokenHash|config|log|steps|actorEmail)":/);
  });

  it("shows a project-limited token its project and the hosts its services use, nothing else", async () => {
    const { owner, team, shop, used } = await setup();
    const t = await token(owner, ["read"], { projectId: shop.id });
    const s = (await call(teamStatusOp, t, team)) as Status;
    expect(places(s)).toEqual([`${shop.slug}:development,staging,production`]);
    expect(s.hosts.map((h) => h.name)).toEqual([used.name]);
    const list = (await call(listProjectsOp, t, team)) as { projects: { slug: string }[] };
    expect(list.projects.map((p) => p.slug)).toEqual([shop.slug]);
  });

  it("shows an environment-limited token its environment only, also in the project it reads", async () => {
    const { owner, team, shop, production } = await setup();
    const t = await token(owner, ["read"], { environmentId: production.id });
    const s = (await call(teamStatusOp, t, team)) as Status;
    expect(places(s)).toEqual([`${shop.slug}:production`]);
    expect(s.hosts).toEqual([]); // production's service has no host yet
    const p = (await call(getProjectOp, t, team, { project: shop.slug })) as { environments: { slug: string }[] };
    expect(p.environments.map((e) => e.slug)).toEqual(["production"]);
  });
});

describe("a service by its name", () => {
  it("finds it, and says which names did not match", async () => {
    const { owner, team, shop, api, live } = await setup();
    const t = await token(owner, ["read"], { projectId: shop.id });
    expect(await call(serviceLookupOp, t, team, { project: shop.slug, env: "staging", service: "api" })).toMatchObject({
      id: api.id,
      kind: "image",
      environment: { slug: "staging", protected: false },
      project: { slug: shop.slug, name: "Shop" },
      live: { id: live.id, number: 1, status: "LIVE" },
    });
    await expect(call(serviceLookupOp, t, team, { project: shop.slug, env: "staging", service: "nope" })).rejects.toThrow(/has no service called nope/);
    await expect(call(serviceLookupOp, t, team, { project: shop.slug, env: "nope", service: "api" })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe(".env push and pull", () => {
  it("round-trips through a project-limited token; secrets come back only with read:secrets", async () => {
    const { owner, team, shop, staging } = await setup();
    const writer = await token(owner, ["write"], { projectId: shop.id });
    const at = { project: shop.slug, env: "staging" };
    const pushed = await call(putDotenvOp, writer, team, {
      ...at,
      dotenv: 'LOG_LEVEL=debug\nGREETING="hello world"\nAPI_KEY=s3cret\n',
      secretKeys: ["API_KEY"],
    });
    expect(pushed).toEqual({ created: ["LOG_LEVEL", "GREETING", "API_KEY"], updated: [], unchanged: [], written: 3, total: 3 });
    const again = await call(putDotenvOp, writer, team, { ...at, dotenv: "LOG_LEVEL=info\nGREETING=hello world\n" });
    expect(again).toMatchObject({ created: [], updated: ["LOG_LEVEL"], unchanged: ["GREETING"] });

    const plain = await text(await call(exportDotenvOp, writer, team, at));
    expect(plain).toContain("# 1 secret left out: API_KEY");
    expect(plain).toContain('LOG_LEVEL="info"');
    expect(plain).not.toContain("s3cret");

    // Without read:secrets (write does not imply it) the secrets are refused, whatever the role.
    await expect(call(exportDotenvOp, writer, team, { ...at, secrets: "1" })).rejects.toThrow(ForbiddenError);
    await expect(call(exportDotenvOp, writer, team, { ...at, secrets: "1" })).rejects.toThrow(/read:secrets/);
    const reader = await token(owner, ["read:secrets"], { projectId: shop.id });
    const full = await text(await call(exportDotenvOp, reader, team, { ...at, secrets: "1" }));
    expect(full).toContain('API_KEY="s3cret"');
    expect(full).not.toContain("left out");

    // What was pulled pushes back unchanged, into another environment too.
    expect(await call(putDotenvOp, writer, team, { ...at, dotenv: full })).toMatchObject({ created: [], updated: [], written: 0 });
    await call(putDotenvOp, writer, team, { project: shop.slug, env: "development", dotenv: full, secretKeys: "API_KEY" });
    const dev = (await getEnvironment(owner, shop.slug, "development")).env;
    const vars = Object.fromEntries((await openVariables(owner.team.id, [`environment:${dev.id}`])).map((v) => [v.key, [v.value, v.secret]]));
    expect(vars).toEqual({ API_KEY: ["s3cret", true], GREETING: ["hello world", false], LOG_LEVEL: ["info", false] });
    expect(staging.id).not.toBe(dev.id);
    expect(await db.auditEvent.count({ where: { teamId: owner.team.id, action: "variable.export-secrets" } })).toBe(1);
  });

  it("refuses a member whose role cannot export secrets, even with a read:secrets token", async () => {
    const { owner, team, shop } = await setup();
    const dev = await addMember(owner, "DEVELOPER");
    const t = await token(dev, ["read:secrets"]);
    const at = { project: shop.slug, env: "staging" };
    await expect(call(exportDotenvOp, t, team, { ...at, secrets: "1" })).rejects.toThrow(/Only admins and owners/);
    expect(await text(await call(exportDotenvOp, t, team, at))).toBe("");
  });

  it("serves the .env as text/plain over HTTP, and refuses a field the operation does not take", async () => {
    const { owner, team, shop } = await setup();
    await setVariable(owner, { scope: "ENVIRONMENT", environmentId: (await getEnvironment(owner, shop.slug, "staging")).env.id }, { key: "A", value: "1" });
    const created = await createApiToken(owner, { name: uniq("tok"), scopes: ["read"] });
    const { GET } = apiHandlers(projectOps);
    const url = `http://berth.test/api/v1/teams/${team}/projects/${shop.slug}/environments/staging/dotenv`;
    const res = await GET(new Request(url, { headers: { authorization: `Bearer ${created.token}` } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe('A="1"\n');
    const bad = await GET(new Request(`${url}?secret=1`, { headers: { authorization: `Bearer ${created.token}` } }));
    expect(bad.status).toBe(400);
  });
});

describe("a limited token's reach", () => {
  it("is refused on another project (403) and on another team's project (404)", async () => {
    const { owner, team, shop, blog } = await setup();
    const t = await token(owner, ["write"], { projectId: shop.id });
    const there = { project: blog.slug, env: "staging" };
    await expect(call(exportDotenvOp, t, team, there)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(call(putDotenvOp, t, team, { ...there, dotenv: "A=1\n" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(call(getProjectOp, t, team, { project: blog.slug })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(call(serviceLookupOp, t, team, { ...there, service: "web" })).rejects.toBeInstanceOf(ForbiddenError);
    // Team-wide operations are beyond any project's limit.
    await expect(call(projectOps.find((o) => o.id === "projects.create")!, t, team, { name: "More" })).rejects.toBeInstanceOf(ForbiddenError);
    // An environment-limited token cannot promote out of its environment.
    const staging = (await getEnvironment(owner, shop.slug, "staging")).env;
    const envToken = await token(owner, ["write"], { environmentId: staging.id });
    await expect(call(promoteConfigOp, envToken, team, { project: shop.slug, from: "staging", to: "development", keys: ["A"] })).rejects.toBeInstanceOf(
      ForbiddenError,
    );

    const other = await makeTeam();
    const theirs = await createProject(other, { name: "Theirs" });
    await expect(call(exportDotenvOp, t, team, { project: theirs.slug, env: "staging" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(call(exportDotenvOp, t, other.team.slug, { project: theirs.slug, env: "staging" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(call(teamStatusOp, session(owner), other.team.slug)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the forms' operations, as a session", () => {
  it("rename, add, protect, clone, promote, preview and import, delete", async () => {
    const { owner, team, shop, staging } = await setup();
    const me = session(owner);
    expect(await call(renameProjectOp, me, team, { project: shop.slug, name: "Web shop" })).toEqual({ id: shop.id, slug: shop.slug, name: "Web shop" });
    const qa = (await call(createEnvironmentOp, me, team, { project: shop.slug, name: "qa", protected: "on" })) as { slug: string; protected: boolean };
    expect(qa).toMatchObject({ slug: "qa", protected: true });
    expect(await call(protectEnvironmentOp, me, team, { project: shop.slug, env: "qa", protected: "false" })).toMatchObject({ protected: false });

    // The .env form: preview (secrets never shown), then import with a box ticked under secretKeys.
    const dotenv = "SHARED=1\nTOKEN=t0p\n";
    const preview = await call(previewDotenvOp, me, team, { environmentId: staging.id, dotenv, path: "/ignored-by-the-schema" });
    expect(preview).toEqual({
      errors: [],
      changes: [
        { key: "SHARED", status: "new", secret: false, value: "1" },
        { key: "TOKEN", status: "new", secret: false, value: "t0p" },
      ],
    });
    expect(await call(importDotenvOp, me, team, { environmentId: staging.id, dotenv, secretKeys: "TOKEN", force: "" })).toMatchObject({
      created: ["SHARED", "TOKEN"],
    });
    const again = (await call(previewDotenvOp, me, team, { environmentId: staging.id, dotenv })) as { changes: { value: string | null }[] };
    expect(again.changes.map((c) => c.value)).toEqual(["1", null]);

    // Promote with the form's joined keys; nothing chosen is a clear error.
    expect(await call(promoteConfigOp, me, team, { project: shop.slug, from: "staging", to: "qa", keys: "SHARED,TOKEN" })).toEqual({ promoted: 2 });
    await expect(call(promoteConfigOp, me, team, { project: shop.slug, from: "staging", to: "qa", keys: "" })).rejects.toThrow(
      "Choose at least one key to promote.",
    );

    const copy = (await call(cloneEnvironmentOp, me, team, { project: shop.slug, env: "staging", name: "preview", withSecrets: "on" })) as { id: string };
    const copied = await openVariables(owner.team.id, [`environment:${copy.id}`]);
    expect(copied.map((v) => [v.key, v.secret])).toEqual(
      expect.arrayContaining([
        ["SHARED", false],
        ["TOKEN", true],
      ]),
    );

    await expect(call(deleteEnvironmentOp, me, team, { project: shop.slug, env: "preview", confirm: "nope" })).rejects.toBeInstanceOf(ValidationError);
    expect(await call(deleteEnvironmentOp, me, team, { project: shop.slug, env: "preview", confirm: "preview" })).toMatchObject({ services: 1 });
    expect(await db.environment.count({ where: { id: copy.id } })).toBe(0);
  });

  it("holds a viewer to reading", async () => {
    const { owner, team, shop } = await setup();
    const viewer = session(await addMember(owner, "VIEWER"));
    expect(((await call(listProjectsOp, viewer, team)) as { projects: unknown[] }).projects).toHaveLength(2);
    await expect(call(createEnvironmentOp, viewer, team, { project: shop.slug, name: "qa" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(call(renameProjectOp, viewer, team, { project: shop.slug, name: "Mine" })).rejects.toBeInstanceOf(ForbiddenError);
  });
});
