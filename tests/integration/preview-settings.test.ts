// Everything a user sets for pull request previews, through the chain (lib/api/invoke.ts) as the console's
// forms and the API call it: a git service's preview settings, which secrets previews receive, members' git
// usernames; and the commit status posted to a local HTTPS receiver standing in for GitHub, GitLab and Gitea.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoke } from "@/lib/api/invoke";
import type { Operation } from "@/lib/api/operation";
import {
  approvePreviewOp,
  closePreviewOp,
  listPreviewsOp,
  setGitUsernamesOp,
  setPreviewSecretKeysOp,
  updatePreviewSettingsOp,
} from "@/lib/api/operations/previews";
import { listMembersOp } from "@/lib/api/operations/members";
import { createGitServiceOp } from "@/lib/api/operations/services";
import type { Principal } from "@/lib/api/principal";
import { createApiToken } from "@/lib/data/api-tokens";
import type { TeamContext } from "@/lib/data/context";
import { openPreviewStatusToken, previewSettings } from "@/lib/data/preview-settings";
import { previewSecretChoices } from "@/lib/data/preview-secret-keys";
import { postPreviewStatus } from "@/lib/data/previews/commit-status";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { resealAllSecrets } from "@/lib/data/rotate-secrets";
import { setVariable } from "@/lib/data/variables";
import { db } from "@/lib/db";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { statusRequest } from "@/lib/git/commit-status-api";
import { addMember, makeTeam, membershipOf, uniq } from "./support/factory";

const META = { ip: "127.0.0.1" };
const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test" });
const call = (op: Operation, who: TeamContext | Principal, input: Record<string, unknown>, team?: string) =>
  invoke(op, "team" in who ? session(who) : who, { team: team ?? ("team" in who ? who.team.slug : ""), input: () => input }, META);

async function rejection(p: Promise<unknown>) {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as Error,
  );
}

/** A team with a project and a git service in staging (repository on GitHub; no host). */
async function setup() {
  const owner = await makeTeam();
  const project = await createProject(owner, { name: uniq("shop") });
  const staging = (await getEnvironment(owner, project.slug, "staging")).env;
  const production = (await getEnvironment(owner, project.slug, "production")).env;
  const git = (await call(createGitServiceOp, owner, {
    project: project.slug,
    env: "staging",
    name: "web",
    gitUrl: "https://github.com/acme/shop.git",
    gitBranch: "main",
    httpPort: "8080",
  })) as { id: string };
  return { owner, project, staging, production, serviceId: git.id };
}

describe("preview settings of a git service", () => {
  it("validates, defaults the base to the service's own environment, and never answers the status token", async () => {
    const { owner, serviceId, staging, production } = await setup();
    const before = await previewSettings(owner, serviceId);
    expect(before).toMatchObject({ previewsEnabled: false, previewBaseEnvironmentId: staging.id, previewTtlHours: 72, statusTokenSet: false });
    expect(before.webhookUrl).toContain(`/api/hooks/services/${serviceId}`);

    for (const ttl of ["0", "721", "1.5", "soon"]) {
      const e = await rejection(call(updatePreviewSettingsOp, owner, { serviceId, previewsEnabled: true, previewTtlHours: ttl }));
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fields.previewTtlHours, ttl).toBeDefined();
    }
    const other = await setup();
    const foreignBase = await rejection(call(updatePreviewSettingsOp, owner, { serviceId, previewBaseEnvironmentId: other.staging.id }));
    expect((foreignBase as ValidationError).fields.previewBaseEnvironmentId).toBeDefined();

    const token = "ghp_secretStatusToken123";
    const out = await call(updatePreviewSettingsOp, owner, { serviceId, previewsEnabled: true, previewTtlHours: "24", previewStatusToken: token });
    expect(out).toEqual({
      serviceId,
      previewsEnabled: true,
      previewBaseEnvironmentId: staging.id,
      previewTtlHours: 24,
      statusTokenSet: true,
      webhookUrl: before.webhookUrl,
    });
    expect(JSON.stringify(out)).not.toContain(token);
    const row = await db.service.findUniqueOrThrow({ where: { id: serviceId } });
    expect(row.previewStatusToken).not.toContain(token);
    expect(row).toMatchObject({ previewsEnabled: true, previewTtlHours: 24, previewBaseEnvironmentId: staging.id });

    // Left empty the token stays; the box removes it. The audit row says what happened to it, never the token.
    await call(updatePreviewSettingsOp, owner, { serviceId, previewsEnabled: "on", previewBaseEnvironmentId: production.id });
    expect((await previewSettings(owner, serviceId)).statusTokenSet).toBe(true);
    await call(updatePreviewSettingsOp, owner, { serviceId, previewsEnabled: "on", clearStatusToken: "on" });
    expect(await db.service.findUniqueOrThrow({ where: { id: serviceId }, select: { previewStatusToken: true } })).toEqual({ previewStatusToken: null });
    const audit = await db.auditEvent.findMany({ where: { teamId: owner.team.id, action: "service.previews.update" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => (a.data as { statusToken: string }).statusToken)).toEqual(["replaced", "kept", "cleared"]);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it("takes a developer, and an admin when the service's or the base environment is protected; viewers never", async () => {
    const { owner, serviceId, production } = await setup();
    const dev = await addMember(owner, "DEVELOPER");
    const admin = await addMember(owner, "ADMIN");
    const viewer = await addMember(owner, "VIEWER");
    expect(await rejection(call(updatePreviewSettingsOp, viewer, { serviceId, previewsEnabled: true }))).toBeInstanceOf(ForbiddenError);
    await call(updatePreviewSettingsOp, dev, { serviceId, previewsEnabled: true });
    expect(await rejection(call(updatePreviewSettingsOp, dev, { serviceId, previewsEnabled: true, previewBaseEnvironmentId: production.id }))).toBeInstanceOf(
      ForbiddenError,
    );
    await call(updatePreviewSettingsOp, admin, { serviceId, previewsEnabled: true, previewBaseEnvironmentId: production.id });
    // Production chosen by an admin stays an admin's: a developer cannot switch away from it either.
    expect(await rejection(call(updatePreviewSettingsOp, dev, { serviceId, previewsEnabled: false }))).toBeInstanceOf(ForbiddenError);
    expect((await db.service.findUniqueOrThrow({ where: { id: serviceId } })).previewsEnabled).toBe(true);
  });

  it("is for git services of the caller's team only", async () => {
    const { owner, project, serviceId } = await setup();
    const stranger = await makeTeam();
    expect(await rejection(call(updatePreviewSettingsOp, stranger, { serviceId, previewsEnabled: true }))).toBeInstanceOf(NotFoundError);
    const image = await db.service.create({
      data: {
        environmentId: (await getEnvironment(owner, project.slug, "development")).env.id,
        name: "img",
        image: "nginx",
        command: [],
        ports: [],
        volumes: [],
      },
    });
    expect(await rejection(call(updatePreviewSettingsOp, owner, { serviceId: image.id, previewsEnabled: true }))).toBeInstanceOf(ValidationError);
    // A preview's own copy of the service takes no preview settings.
    const pr = await db.environment.create({ data: { projectId: project.id, name: "pr-3", slug: "pr-3" } });
    const copy = await db.service.create({
      data: {
        environmentId: pr.id,
        name: "web",
        source: "git",
        image: "",
        command: [],
        ports: [],
        volumes: [],
        gitUrl: "https://github.com/acme/shop.git",
        gitBranch: "main",
      },
    });
    await db.preview.create({
      data: {
        teamId: owner.team.id,
        serviceId,
        environmentId: pr.id,
        provider: "github",
        number: 3,
        title: "t",
        author: "github:a",
        headRef: "b",
        headSha: "a".repeat(40),
        fromFork: false,
        authorIsMember: true,
        status: "deploying",
      },
    });
    expect((await previewSettings(owner, copy.id)).inPreview).toBe(true);
    expect((await rejection(call(updatePreviewSettingsOp, owner, { serviceId: copy.id, previewsEnabled: true }))).message).toMatch(/pull request's preview/);
    expect((await previewSettings(owner, serviceId)).environments.map((e) => e.name)).toEqual(["development", "staging", "production"]);
  });
});

describe("the status token and master key rotation", () => {
  it("is re-sealed under the new key and opens without the old one", async () => {
    const { owner, serviceId } = await setup();
    await call(updatePreviewSettingsOp, owner, { serviceId, previewStatusToken: "tok-rotate-me" });
    const original = { current: process.env.BERTH_MASTER_KEY, previous: process.env.BERTH_MASTER_KEYS_PREVIOUS };
    try {
      process.env.BERTH_MASTER_KEYS_PREVIOUS = process.env.BERTH_MASTER_KEY;
      process.env.BERTH_MASTER_KEY = randomBytes(32).toString("hex");
      expect((await resealAllSecrets(owner.team.id)).services).toBe(1);
      process.env.BERTH_MASTER_KEYS_PREVIOUS = "";
      expect(await openPreviewStatusToken(serviceId)).toBe("tok-rotate-me");
    } finally {
      process.env.BERTH_MASTER_KEY = original.current;
      process.env.BERTH_MASTER_KEYS_PREVIOUS = original.previous ?? "";
    }
  });
});

describe("secrets allowed in previews", () => {
  it("are chosen key by key by admins and owners only, must name secrets that reach the environment, and are audited", async () => {
    const { owner, project, staging, serviceId } = await setup();
    const dev = await addMember(owner, "DEVELOPER");
    const admin = await addMember(owner, "ADMIN");
    const envRef = { scope: "ENVIRONMENT" as const, environmentId: staging.id };
    await setVariable(owner, envRef, { key: "STRIPE_KEY", value: "sk_live_1", secret: true });
    await setVariable(owner, envRef, { key: "PUBLIC_NAME", value: "shop", secret: false });
    await setVariable(owner, { scope: "PROJECT", projectId: project.id }, { key: "SENTRY_DSN", value: "https://x@y/1", secret: true });
    await setVariable(owner, { scope: "SERVICE", serviceId }, { key: "DB_PASSWORD", value: "pw", secret: true });
    const where = { project: project.slug, env: "staging" };

    expect((await previewSecretChoices(dev, project.slug, "staging")).secrets.map((s) => s.key)).toEqual(["DB_PASSWORD", "SENTRY_DSN", "STRIPE_KEY"]);
    expect(await rejection(call(setPreviewSecretKeysOp, dev, { ...where, keys: ["SENTRY_DSN"] }))).toBeInstanceOf(ForbiddenError);
    const plain = await rejection(call(setPreviewSecretKeysOp, admin, { ...where, keys: ["PUBLIC_NAME"] }));
    expect((plain as ValidationError).fields.keys![0]).toMatch(/No secret called PUBLIC_NAME/);
    const badName = await rejection(call(setPreviewSecretKeysOp, admin, { ...where, keys: ["not a key"] }));
    expect(badName).toBeInstanceOf(ValidationError);
    const tooMany = await rejection(call(setPreviewSecretKeysOp, admin, { ...where, keys: Array.from({ length: 201 }, (_, i) => `K${i}`) }));
    expect(JSON.stringify((tooMany as ValidationError).fields)).toContain("At most 200");

    expect(await call(setPreviewSecretKeysOp, admin, { ...where, keys: ["SENTRY_DSN", "DB_PASSWORD", "SENTRY_DSN"] })).toEqual({
      environmentId: staging.id,
      keys: ["DB_PASSWORD", "SENTRY_DSN"],
    });
    await call(setPreviewSecretKeysOp, owner, { ...where, keys: "SENTRY_DSN" });
    expect((await db.environment.findUniqueOrThrow({ where: { id: staging.id } })).previewSecretKeys).toEqual(["SENTRY_DSN"]);
    const choices = await previewSecretChoices(owner, project.slug, "staging");
    expect(choices.secrets.filter((s) => s.allowed).map((s) => s.key)).toEqual(["SENTRY_DSN"]);
    const audit = await db.auditEvent.findMany({ where: { teamId: owner.team.id, action: "environment.preview-secrets" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.data)).toEqual([
      { allowed: ["DB_PASSWORD", "SENTRY_DSN"], withdrawn: [] },
      { allowed: [], withdrawn: ["DB_PASSWORD"] },
    ]);
    expect(JSON.stringify(audit)).not.toContain("sk_live_1");

    // Another team's environment is not found; a token needs the admin scope.
    const stranger = await makeTeam();
    expect(await rejection(call(setPreviewSecretKeysOp, stranger, { ...where, keys: [] }))).toBeInstanceOf(NotFoundError);
    const writeToken = await createApiToken(owner, { name: uniq("tok"), scopes: ["write"] });
    expect(await rejection(call(setPreviewSecretKeysOp, { kind: "token", token: writeToken.token }, { ...where, keys: [] }, owner.team.slug))).toBeInstanceOf(
      ForbiddenError,
    );
  });
});

describe("members' git usernames", () => {
  it("are validated per provider, set by developers for themselves and by admins for anyone (viewers none), and audited", async () => {
    const owner = await makeTeam();
    const admin = await addMember(owner, "ADMIN");
    const dev = await addMember(owner, "DEVELOPER");
    const self = await addMember(owner, "DEVELOPER");
    const viewer = await addMember(owner, "VIEWER");
    const devM = (await membershipOf(dev)).id;
    const selfM = (await membershipOf(self)).id;
    const viewerM = (await membershipOf(viewer)).id;
    expect(await rejection(call(setGitUsernamesOp, viewer, { membershipId: viewerM, usernames: ["github:viewer"] }))).toBeInstanceOf(ForbiddenError);

    for (const bad of [
      "alice",
      "bitbucket:alice",
      "github:-alice",
      "github:al--ice",
      "github:a".padEnd(48, "b"),
      "gitlab:alice.git",
      "gitea:al ice",
      "github:",
    ]) {
      const e = await rejection(call(setGitUsernamesOp, self, { membershipId: selfM, usernames: [bad] }));
      expect(e, bad).toBeInstanceOf(ValidationError);
    }
    expect(
      await rejection(call(setGitUsernamesOp, self, { membershipId: selfM, usernames: Array.from({ length: 11 }, (_, i) => `github:u${i}`) })),
    ).toBeInstanceOf(ValidationError);

    expect(await call(setGitUsernamesOp, self, { membershipId: selfM, usernames: "GitHub:Alice-B, gitlab:alice_b.x\ngitea:alice" })).toEqual({
      membershipId: selfM,
      gitUsernames: ["github:alice-b", "gitlab:alice_b.x", "gitea:alice"],
    });
    expect(await rejection(call(setGitUsernamesOp, dev, { membershipId: selfM, usernames: ["github:mallory"] }))).toBeInstanceOf(ForbiddenError);
    await call(setGitUsernamesOp, admin, { membershipId: devM, usernames: ["github:bob"] });
    expect((await membershipOf(dev)).gitUsernames).toEqual(["github:bob"]);
    expect((await membershipOf(self)).gitUsernames).toEqual(["github:alice-b", "gitlab:alice_b.x", "gitea:alice"]);

    const members = (await call(listMembersOp, admin, {})) as { members: { id: string; gitUsernames: string[] }[] };
    expect(members.members.find((m) => m.id === devM)?.gitUsernames).toEqual(["github:bob"]);
    const audit = await db.auditEvent.findMany({ where: { teamId: owner.team.id, action: "member.git-usernames" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.actorEmail, a.targetLabel, a.data])).toEqual([
      [self.actor.email, self.actor.email, { from: [], to: ["github:alice-b", "gitlab:alice_b.x", "gitea:alice"] }],
      [admin.actor.email, dev.actor.email, { from: [], to: ["github:bob"] }],
    ]);

    // Another team's membership is not found, even for its admin; a read-only token sets nothing.
    const stranger = await makeTeam();
    expect(await rejection(call(setGitUsernamesOp, stranger, { membershipId: devM, usernames: [] }))).toBeInstanceOf(NotFoundError);
    const readToken = await createApiToken(self, { name: uniq("tok"), scopes: ["read"] });
    expect(
      await rejection(call(setGitUsernamesOp, { kind: "token", token: readToken.token }, { membershipId: selfM, usernames: [] }, owner.team.slug)),
    ).toBeInstanceOf(ForbiddenError);
  });
});

// ---- Commit statuses, against a local HTTPS receiver (Berth's CA signs localhost's certificate; tests trust it).

type Seen = { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: unknown };
const seen: Seen[] = [];
let answer = 201;
let receiver: https.Server;
let port = 0;

beforeAll(async () => {
  const tls = path.join(process.cwd(), ".berth", "tls");
  receiver = https.createServer({ cert: fs.readFileSync(path.join(tls, "server.crt")), key: fs.readFileSync(path.join(tls, "server.key")) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || "null") });
      if (answer === 302) res.writeHead(302, { location: "https://localhost:1/elsewhere" }).end();
      else res.writeHead(answer, { "content-type": "application/json" }).end(JSON.stringify({ message: answer < 300 ? "ok" : "Bad credentials" }));
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  port = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
});

/** A preview row of a service whose repository is on the local receiver, with a host that reaches private networks. */
async function previewOn(provider: "github" | "gitlab" | "gitea", opts: { allowPrivate?: boolean; status?: string; url?: string | null } = {}) {
  const { owner, project, serviceId, staging } = await setup();
  const host = await db.host.create({
    data: { teamId: owner.team.id, name: uniq("h"), tokenHash: randomBytes(32).toString("hex"), allowPrivateNetworks: true },
  });
  await db.service.update({ where: { id: serviceId }, data: { gitUrl: `https://localhost:${port}/acme/shop.git`, hostId: host.id } });
  await call(updatePreviewSettingsOp, owner, { serviceId, previewsEnabled: true, previewStatusToken: `tok-${provider}` });
  // An admin may take the allowance back later: the check at send time holds then.
  if (opts.allowPrivate === false) await db.host.update({ where: { id: host.id }, data: { allowPrivateNetworks: false } });
  const sha = "0123456789abcdef0123456789abcdef01234567";
  const preview = await db.preview.create({
    data: {
      teamId: owner.team.id,
      serviceId,
      provider,
      number: 7,
      title: "Add a basket",
      author: `${provider}:stranger`,
      headRef: "basket",
      headSha: sha,
      fromFork: true,
      authorIsMember: false,
      status: opts.status ?? "waiting",
      url: opts.url ?? null,
    },
  });
  return { owner, project, staging, serviceId, preview, sha };
}

describe("commit status on the pull request", () => {
  it("knows each provider's address: api.github.com for github.com, the repository's host otherwise", () => {
    const status = { state: "failure" as const, targetUrl: "https://b/x", description: "d", context: "berth/preview" };
    const sha = "abcdef1";
    expect(statusRequest("github", "git@github.com:acme/shop.git", sha, status, "t")).toMatchObject({
      url: "https://api.github.com/repos/acme/shop/statuses/abcdef1",
      headers: { authorization: "Bearer t" },
      body: { state: "failure", context: "berth/preview", target_url: "https://b/x" },
    });
    expect(statusRequest("gitlab", "ssh://git@gitlab.example.com:2222/group/sub/shop.git", sha, status, "t")).toMatchObject({
      url: "https://gitlab.example.com/api/v4/projects/group%2Fsub%2Fshop/statuses/abcdef1",
      headers: { "private-token": "t" },
      body: { state: "failed", name: "berth/preview" },
    });
    expect(statusRequest("gitea", "https://git.example.com:3000/acme/shop", sha, status, "t")?.url).toBe(
      "https://git.example.com:3000/api/v1/repos/acme/shop/statuses/abcdef1",
    );
    expect(statusRequest("gitea", "https://git.example.com/acme/shop", "not-a-sha", status, "t")).toBeNull();
  });

  it("posts pending for a waiting preview and success with its URL when ready, with each provider's path and authorisation", async () => {
    answer = 201;
    for (const provider of ["gitea", "gitlab", "github"] as const) {
      seen.length = 0;
      const { preview, sha, owner, project } = await previewOn(provider);
      expect(await postPreviewStatus(preview.id)).toEqual({ posted: true, state: "pending" });
      await db.preview.update({ where: { id: preview.id }, data: { status: "ready", url: "http://pr-7.shop.localhost" } });
      expect(await postPreviewStatus(preview.id)).toEqual({ posted: true, state: "success" });
      expect(seen).toHaveLength(2);
      const [pending, ready] = seen as [Seen, Seen];
      const expectedPath = {
        gitea: `/api/v1/repos/acme/shop/statuses/${sha}`,
        gitlab: `/api/v4/projects/acme%2Fshop/statuses/${sha}`,
        github: `/api/v3/repos/acme/shop/statuses/${sha}`,
      }[provider];
      const auth = { gitea: ["authorization", "token tok-gitea"], gitlab: ["private-token", "tok-gitlab"], github: ["authorization", "Bearer tok-github"] }[
        provider
      ];
      for (const s of seen) {
        expect(s.method).toBe("POST");
        expect(s.url).toBe(expectedPath);
        expect(s.headers[auth[0]!]).toBe(auth[1]);
        expect(s.headers["content-type"]).toBe("application/json");
      }
      const contextField = provider === "gitlab" ? "name" : "context";
      expect(pending.body).toMatchObject({ state: "pending", [contextField]: "berth/preview" });
      expect((pending.body as { target_url: string }).target_url).toMatch(new RegExp(`/t/${owner.team.slug}/projects/${project.slug}#previews$`));
      expect(ready.body).toMatchObject({ state: "success", target_url: "http://pr-7.shop.localhost", [contextField]: "berth/preview" });
    }
  });

  it("never throws: a refused address, an error answer or a redirect are logged and recorded in the audit log", async () => {
    seen.length = 0;
    // The host's policy keeps the loopback receiver out of reach: nothing is sent.
    const strict = await previewOn("gitea", { allowPrivate: false });
    const refused = await postPreviewStatus(strict.preview.id);
    expect(refused.posted).toBe(false);
    expect(seen).toHaveLength(0);
    // ...and saving a token for it is refused beside the field.
    const resave = await rejection(call(updatePreviewSettingsOp, strict.owner, { serviceId: strict.serviceId, previewStatusToken: "another-token" }));
    expect((resave as ValidationError).fields.previewStatusToken![0]).toMatch(/Refused API host/);

    const failing = await previewOn("gitea", { status: "failed" });
    answer = 401;
    expect(await postPreviewStatus(failing.preview.id)).toMatchObject({ posted: false, reason: expect.stringMatching(/answered 401/) });
    expect(seen.at(-1)?.body).toMatchObject({ state: "failure" });
    answer = 302;
    expect(await postPreviewStatus(failing.preview.id)).toMatchObject({ posted: false, reason: expect.stringMatching(/answered 302/) });
    answer = 201;
    expect(seen).toHaveLength(2);

    const audit = await db.auditEvent.findMany({
      where: { action: "preview.commit-status.failed", targetId: { in: [strict.preview.id, failing.preview.id] } },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => [a.targetId, a.actorEmail])).toEqual([
      [strict.preview.id, "system"],
      [failing.preview.id, "system"],
      [failing.preview.id, "system"],
    ]);
    expect((audit[0]!.data as { error: string }).error).toMatch(/private networks/);
    expect(JSON.stringify(audit)).not.toContain("tok-gitea");

    // No token, or a closed preview: nothing to post, nothing recorded.
    await db.service.update({ where: { id: failing.serviceId }, data: { previewStatusToken: null } });
    expect(await postPreviewStatus(failing.preview.id)).toEqual({ posted: false, reason: "no status token" });
    expect(await postPreviewStatus("no-such-preview")).toEqual({ posted: false, reason: "no such preview" });
    expect(seen).toHaveLength(2);
  });
});

describe("previews: list, approve, close", () => {
  it("lists for viewers; approving and closing take a developer, another team's preview is not found, a stale commit is refused", async () => {
    const { preview, owner, project, sha } = await previewOn("github");
    const viewer = await addMember(owner, "VIEWER");
    const dev = await addMember(owner, "DEVELOPER");

    const listed = (await call(listPreviewsOp, viewer, { project: project.slug })) as { previews: Record<string, unknown>[] };
    expect(listed.previews).toHaveLength(1);
    expect(listed.previews[0]).toMatchObject({ id: preview.id, number: 7, status: "waiting", needsApproval: true, fromFork: true, headSha: sha });
    expect(Date.parse(listed.previews[0]!.expiresAt as string)).toBeGreaterThan(Date.now());
    expect(await rejection(call(listPreviewsOp, viewer, {}))).toBeInstanceOf(ValidationError);

    expect(await rejection(call(approvePreviewOp, viewer, { previewId: preview.id, sha }))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(call(closePreviewOp, viewer, { previewId: preview.id }))).toBeInstanceOf(ForbiddenError);

    const stranger = await makeTeam();
    expect(await rejection(call(approvePreviewOp, stranger, { previewId: preview.id, sha }))).toBeInstanceOf(NotFoundError);
    expect(await rejection(call(closePreviewOp, stranger, { previewId: preview.id }))).toBeInstanceOf(NotFoundError);
    expect(await call(listPreviewsOp, stranger, { serviceId: preview.serviceId })).toEqual({ previews: [] });

    // A token limited to another project of the team does not reach it.
    const elsewhere = await createProject(owner, { name: uniq("other") });
    const limited = await createApiToken(dev, { name: uniq("tok"), scopes: ["deploy"], projectId: elsewhere.id });
    const asLimited = { kind: "token" as const, token: limited.token };
    expect(await rejection(call(approvePreviewOp, asLimited, { previewId: preview.id, sha }, owner.team.slug))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(call(listPreviewsOp, asLimited, { project: project.slug }, owner.team.slug))).toBeInstanceOf(ForbiddenError);

    // Only the head Berth knows is approved.
    expect(await rejection(call(approvePreviewOp, dev, { previewId: preview.id, sha: "fedcba9876543210fedcba9876543210fedcba98" }))).toBeInstanceOf(
      ConflictError,
    );
    expect((await db.preview.findUniqueOrThrow({ where: { id: preview.id } })).approvedSha).toBeNull();

    await call(closePreviewOp, dev, { previewId: preview.id });
    expect(await db.preview.findUniqueOrThrow({ where: { id: preview.id } })).toMatchObject({ status: "closed" });
    expect(await db.auditEvent.count({ where: { teamId: owner.team.id, action: "preview.close", actorEmail: dev.actor.email } })).toBe(1);
  });
});
