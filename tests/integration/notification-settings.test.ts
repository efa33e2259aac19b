// Notification settings through the operation chain (lib/api/invoke.ts), as the JSON API, the CLI and the
// settings pages call them, against the real PostgreSQL: channels, rules and deliveries; field errors;
// the outbound address rules at save time; who may do what; another team's ids are "not found"; no answer
// holds a channel's URL path or signing secret (except the secret in the answers that made it); audit rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoke } from "@/lib/api/invoke";
import type { Operation } from "@/lib/api/operation";
import * as ops from "@/lib/api/operations/notifications";
import type { Principal } from "@/lib/api/principal";
import type { TeamContext } from "@/lib/data/context";
import { createProject, getEnvironment } from "@/lib/data/projects";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { openChannelUrl, openSigningSecret } from "@/lib/notify/secrets";
import { openSignUp } from "../support/signup-policy";
import { addMember, makeTeam, uniq } from "./support/factory";

const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test-session" });
// biome-ignore lint/suspicious/noExplicitAny: each answer is held to what the test expects of it
const call = (op: Operation, who: TeamContext, input: Record<string, unknown> = {}, team = who.team.slug): Promise<any> =>
  invoke(op, session(who), { team, input: () => input }, { ip: "127.0.0.1" });

/** The refusal's status and field errors (a call that succeeds fails the test). */
async function refusal(p: Promise<unknown>): Promise<{ status: number; fields: Record<string, string[]>; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return { status: e.status, fields: (e as { fields?: Record<string, string[]> }).fields ?? {}, message: e.message };
    throw e;
  }
  throw new Error("the call succeeded");
}

// A public address (8.8.8.8 is public whatever DNS says) with a path and query that must never be shown.
const PATH_MARK = "p4th-k3ep-out";
const QUERY_MARK = "q-t0ken-9f2";
const PUBLIC_URL = `https://8.8.8.8/hooks/${PATH_MARK}?token=${QUERY_MARK}`;

let owner: TeamContext;
let admin: TeamContext;
let developer: TeamContext;
let viewer: TeamContext;
let stranger: TeamContext;
let project: { id: string; slug: string };
let envId: string;

beforeAll(async () => {
  await openSignUp();
  owner = await makeTeam();
  admin = await addMember(owner, "ADMIN");
  developer = await addMember(owner, "DEVELOPER");
  viewer = await addMember(owner, "VIEWER");
  stranger = await makeTeam();
  project = await createProject(owner, { name: uniq("notify") });
  envId = (await getEnvironment(owner, project.slug, "production")).env.id;
});

afterAll(async () => {
  // Control workers of later test runs share this database: leave them no deliveries to public addresses.
  await db.notificationDelivery.deleteMany({ where: { teamId: { in: [owner.team.id, stranger.team.id] } } });
  await db.$disconnect();
});

describe("channels", () => {
  it("are created, listed, changed and deleted, showing only the URL's origin and the secret once", async () => {
    const made = await call(ops.createChannelOp, owner, { name: "ops-hook", kind: "webhook", url: PUBLIC_URL });
    expect(made).toMatchObject({ name: "ops-hook", kind: "webhook", urlLabel: "https://8.8.8.8", enabled: true, allowPrivateNetworks: false, rules: [] });
    expect(made.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    expect(JSON.stringify(made)).not.toContain(PATH_MARK);

    const row = await db.notificationChannel.findUniqueOrThrow({ where: { id: made.id } });
    expect(row.urlSealed).not.toContain(PATH_MARK);
    expect(row.signingSecret).not.toContain(made.signingSecret.slice(6));
    expect(openChannelUrl(row.id, row.urlSealed!)).toBe(PUBLIC_URL);
    expect(openSigningSecret(row.id, row.signingSecret!)).toBe(made.signingSecret);

    const { channels } = await call(ops.listChannelsOp, developer);
    expect(channels.map((c: { name: string }) => c.name)).toContain("ops-hook");
    const one = await call(ops.getChannelOp, developer, { channelId: made.id });
    for (const answer of [channels, one]) {
      const text = JSON.stringify(answer);
      for (const hidden of [PATH_MARK, QUERY_MARK, made.signingSecret, row.urlSealed!, row.signingSecret!]) expect(text).not.toContain(hidden);
    }

    const changed = await call(ops.updateChannelOp, owner, { channelId: made.id, name: "ops-hook-2", enabled: false, url: "https://1.1.1.1/other" });
    expect(changed).toMatchObject({ name: "ops-hook-2", enabled: false, urlLabel: "https://1.1.1.1" });
    expect(changed).not.toHaveProperty("signingSecret");
    const after = await db.notificationChannel.findUniqueOrThrow({ where: { id: made.id } });
    expect(openChannelUrl(after.id, after.urlSealed!)).toBe("https://1.1.1.1/other");
    // An update without a URL keeps it.
    await call(ops.updateChannelOp, owner, { channelId: made.id, enabled: true });
    expect(openChannelUrl(after.id, (await db.notificationChannel.findUniqueOrThrow({ where: { id: made.id } })).urlSealed!)).toBe("https://1.1.1.1/other");

    const rotated = await call(ops.rotateSecretOp, owner, { channelId: made.id });
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(made.signingSecret);
    const rerow = await db.notificationChannel.findUniqueOrThrow({ where: { id: made.id } });
    expect(openSigningSecret(rerow.id, rerow.signingSecret!)).toBe(rotated.signingSecret);

    expect(await call(ops.deleteChannelOp, owner, { channelId: made.id })).toEqual({ name: "ops-hook-2" });
    expect(await db.notificationChannel.findUnique({ where: { id: made.id } })).toBeNull();

    const actions = (await db.auditEvent.findMany({ where: { teamId: owner.team.id, targetId: made.id }, select: { action: true, data: true } })).map(
      (a) => a.action,
    );
    expect(actions.sort()).toEqual([
      "notification.channel.create",
      "notification.channel.delete",
      "notification.channel.secret.rotate",
      "notification.channel.update",
      "notification.channel.update",
    ]);
    const audit = JSON.stringify(await db.auditEvent.findMany({ where: { teamId: owner.team.id, targetId: made.id } }));
    for (const hidden of [PATH_MARK, QUERY_MARK, made.signingSecret, rotated.signingSecret]) expect(audit).not.toContain(hidden);
  });

  it("make Slack and email channels, without a signing secret", async () => {
    const slack = await call(ops.createChannelOp, owner, { name: uniq("slack"), kind: "slack", url: "https://8.8.4.4/services/T0/B0/abc" });
    expect(slack).toMatchObject({ kind: "slack", urlLabel: "https://8.8.4.4", signingSecret: null });
    const mail = await call(ops.createChannelOp, owner, { name: uniq("mail"), kind: "email", emails: "Ops@Example.com, dev@example.com\nops@example.com" });
    expect(mail).toMatchObject({ kind: "email", urlLabel: null, emails: ["ops@example.com", "dev@example.com"], signingSecret: null });
    expect((await db.notificationChannel.findUniqueOrThrow({ where: { id: mail.id } })).urlSealed).toBeNull();
    expect((await refusal(call(ops.rotateSecretOp, owner, { channelId: slack.id }))).status).toBe(400);
  });

  it("refuse bad input with a 400 naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x", kind: "sms", url: PUBLIC_URL }, "kind"],
      [{ name: "", kind: "webhook", url: PUBLIC_URL }, "name"],
      [{ name: "x", kind: "webhook" }, "url"],
      [{ name: "x", kind: "webhook", url: "ftp://8.8.8.8/x" }, "url"],
      [{ name: "x", kind: "webhook", url: "not a url" }, "url"],
      [{ name: "x", kind: "webhook", url: "https://user:pw@8.8.8.8/x" }, "url"],
      [{ name: "x", kind: "email" }, "emails"],
      [{ name: "x", kind: "email", emails: "nobody-at-example" }, "emails.0"],
      [{ name: "x", kind: "email", emails: Array.from({ length: 21 }, (_, i) => `u${i}@example.com`) }, "emails"],
    ];
    for (const [input, field] of cases) {
      const r = await refusal(call(ops.createChannelOp, owner, input));
      expect({ input, status: r.status, fields: Object.keys(r.fields) }).toEqual({ input, status: 400, fields: [field] });
    }
    const name = uniq("dup");
    await call(ops.createChannelOp, owner, { name, kind: "email", emails: "a@example.com" });
    const dup = await refusal(call(ops.createChannelOp, owner, { name, kind: "email", emails: "a@example.com" }));
    expect(dup.status).toBe(409);
    expect(dup.fields.name).toBeDefined();
  });

  it("refuse a private address unless an admin allows private networks, and a metadata address always", async () => {
    const local = await refusal(call(ops.createChannelOp, owner, { name: uniq("local"), kind: "webhook", url: "http://127.0.0.1:8123/hook" }));
    expect(local.status).toBe(400);
    expect(local.fields.url?.[0]).toMatch(/127\.0\.0\.1.*an admin can allow private networks for this channel/);
    const named = await refusal(call(ops.createChannelOp, owner, { name: uniq("local"), kind: "slack", url: "http://localhost:8123/hook" }));
    expect(named.fields.url?.[0]).toContain("loopback");

    const allowed = await call(ops.createChannelOp, admin, {
      name: uniq("local"),
      kind: "webhook",
      url: "http://127.0.0.1:8123/hook",
      allowPrivateNetworks: true,
    });
    expect(allowed).toMatchObject({ allowPrivateNetworks: true, urlLabel: "http://127.0.0.1:8123" });
    const metadata = await refusal(
      call(ops.createChannelOp, admin, { name: uniq("meta"), kind: "webhook", url: "http://169.254.169.254/latest", allowPrivateNetworks: true }),
    );
    expect(metadata.fields.url?.[0]).toContain("never connects to");
    // Withdrawing the allowance checks the URL it keeps.
    const withdraw = await refusal(call(ops.updateChannelOp, admin, { channelId: allowed.id, allowPrivateNetworks: false }));
    expect(withdraw.fields.url?.[0]).toContain("127.0.0.1");
    expect((await db.notificationChannel.findUniqueOrThrow({ where: { id: allowed.id } })).allowPrivateNetworks).toBe(true);
  });

  it("are managed by admins only; developers read them, viewers do not", async () => {
    const input = { name: uniq("dev"), kind: "webhook", url: "http://10.1.2.3/hook", allowPrivateNetworks: true };
    expect((await refusal(call(ops.createChannelOp, developer, input))).status).toBe(403);
    expect((await refusal(call(ops.createChannelOp, developer, { ...input, url: PUBLIC_URL, allowPrivateNetworks: false }))).status).toBe(403);
    const c = await call(ops.createChannelOp, owner, { name: uniq("perm"), kind: "webhook", url: PUBLIC_URL });
    expect((await refusal(call(ops.updateChannelOp, developer, { channelId: c.id, allowPrivateNetworks: true }))).status).toBe(403);
    expect((await refusal(call(ops.sendTestOp, developer, { channelId: c.id }))).status).toBe(403);
    expect((await refusal(call(ops.createRuleOp, developer, { channelId: c.id, events: ["deployment.failed"] }))).status).toBe(403);
    expect((await call(ops.getChannelOp, developer, { channelId: c.id })).id).toBe(c.id);
    expect((await refusal(call(ops.listChannelsOp, viewer))).status).toBe(403);
    expect((await refusal(call(ops.listDeliveriesOp, viewer))).status).toBe(403);
    expect((await db.notificationChannel.findUniqueOrThrow({ where: { id: c.id } })).allowPrivateNetworks).toBe(false);
  });
});

describe("rules", () => {
  it("route events to a channel for the team, a project or an environment, with crash thresholds", async () => {
    const c = await call(ops.createChannelOp, owner, { name: uniq("rules"), kind: "email", emails: "ops@example.com" });
    const team = await call(ops.createRuleOp, owner, { channelId: c.id, events: "deployment.failed,host.offline" });
    expect(team).toMatchObject({ events: ["deployment.failed", "host.offline"], project: null, environment: null, crashRestarts: 3, crashWindowMinutes: 5 });
    const env = await call(ops.createRuleOp, owner, {
      channelId: c.id,
      events: ["container.crash_looping"],
      environmentId: envId,
      crashRestarts: "4",
      crashWindowMinutes: "10",
    });
    expect(env).toMatchObject({ project: { id: project.id }, environment: { id: envId, name: "production" }, crashRestarts: 4, crashWindowMinutes: 10 });
    const moved = await call(ops.updateRuleOp, owner, { ruleId: env.id, events: ["deployment.succeeded"], projectId: project.id });
    expect(moved).toMatchObject({ events: ["deployment.succeeded"], project: { id: project.id }, environment: null, crashRestarts: 3 });
    const listed = await call(ops.getChannelOp, owner, { channelId: c.id });
    expect(listed.rules.map((r: { id: string }) => r.id)).toEqual([team.id, env.id]);
    await call(ops.deleteRuleOp, owner, { ruleId: team.id });
    expect(await db.notificationRule.findUnique({ where: { id: team.id } })).toBeNull();
    const actions = (
      await db.auditEvent.findMany({ where: { teamId: owner.team.id, targetType: "notification-rule", targetId: { in: [team.id, env.id] } } })
    ).map((a) => a.action);
    expect(actions.sort()).toEqual(["notification.rule.create", "notification.rule.create", "notification.rule.delete", "notification.rule.update"]);
  });

  it("refuse bad events, thresholds and another team's project with a 400 naming the field", async () => {
    const c = await call(ops.createChannelOp, owner, { name: uniq("bad-rules"), kind: "email", emails: "ops@example.com" });
    const theirs = await createProject(stranger, { name: uniq("theirs") });
    const theirEnv = (await getEnvironment(stranger, theirs.slug, "staging")).env.id;
    const cases: [Record<string, unknown>, string][] = [
      [{ events: [] }, "events"],
      [{ events: ["deployment.exploded"] }, "events.0"],
      [{ events: ["container.crash_looping"], crashRestarts: 1 }, "crashRestarts"],
      [{ events: ["container.crash_looping"], crashRestarts: 101 }, "crashRestarts"],
      [{ events: ["container.crash_looping"], crashWindowMinutes: 0 }, "crashWindowMinutes"],
      [{ events: ["container.crash_looping"], crashWindowMinutes: 1441 }, "crashWindowMinutes"],
      [{ events: ["deployment.failed"], projectId: theirs.id }, "projectId"],
      [{ events: ["deployment.failed"], environmentId: theirEnv }, "environmentId"],
    ];
    for (const [input, field] of cases) {
      const r = await refusal(call(ops.createRuleOp, owner, { channelId: c.id, ...input }));
      expect({ input, status: r.status, fields: Object.keys(r.fields) }).toEqual({ input, status: 400, fields: [field] });
    }
    expect(await db.notificationRule.count({ where: { channelId: c.id } })).toBe(0);
  });
});

describe("deliveries", () => {
  it("are queued by Send test, listed newest first, and sent again once delivered or failed", async () => {
    const c = await call(ops.createChannelOp, owner, { name: uniq("deliv"), kind: "webhook", url: PUBLIC_URL, enabled: false });
    const first = await call(ops.sendTestOp, owner, { channelId: c.id });
    expect(first).toMatchObject({ event: "test", status: "PENDING", attempts: 0, channel: { id: c.id, kind: "webhook" } });
    expect(first.nextAttemptAt).not.toBeNull();
    const second = await call(ops.sendTestOp, owner, { channelId: c.id });
    expect(await db.notificationDelivery.count({ where: { channelId: c.id, teamId: owner.team.id, status: "PENDING" } })).toBe(2);
    expect(await db.auditEvent.count({ where: { teamId: owner.team.id, action: "notification.channel.test", targetId: c.id } })).toBe(2);

    const page = await call(ops.listChannelDeliveriesOp, developer, { channelId: c.id });
    expect(page).toMatchObject({ total: 2, page: 1 });
    expect(page.deliveries.map((d: { id: string }) => d.id)).toEqual([second.id, first.id]);
    expect(JSON.stringify(page)).not.toContain(PATH_MARK);

    // Still pending: nothing to send again.
    expect((await refusal(call(ops.resendDeliveryOp, owner, { deliveryId: first.id }))).status).toBe(409);
    // As the sender records a failure after its last attempt.
    await db.notificationDelivery.update({
      where: { id: first.id },
      data: { status: "FAILED", attempts: 9, responseStatus: 500, responseBody: "x".repeat(2000), error: "HTTP 500" },
    });
    const failed = (await call(ops.listDeliveriesOp, owner, { status: "FAILED", channelId: c.id })).deliveries;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ id: first.id, attempts: 9, responseStatus: 500, error: "HTTP 500", nextAttemptAt: null });
    expect(failed[0].responseBody.length).toBeLessThanOrEqual(501);

    expect((await refusal(call(ops.resendDeliveryOp, developer, { deliveryId: first.id }))).status).toBe(403);
    const again = await call(ops.resendDeliveryOp, owner, { deliveryId: first.id });
    expect(again).toMatchObject({ id: first.id, status: "PENDING", attempts: 0, error: null });
    expect(await db.auditEvent.count({ where: { teamId: owner.team.id, action: "notification.delivery.resend", targetId: first.id } })).toBe(1);

    const paged = await call(ops.listDeliveriesOp, owner, { channelId: c.id, limit: 1, page: 2 });
    expect(paged).toMatchObject({ total: 2, page: 2, limit: 1 });
    expect(paged.deliveries.map((d: { id: string }) => d.id)).toEqual([first.id]);
    expect(Object.keys((await refusal(call(ops.listDeliveriesOp, owner, { status: "LOST" }))).fields)).toEqual(["status"]);
  });
});

describe("another team", () => {
  it("finds none of this team's channels, rules or deliveries", async () => {
    const c = await call(ops.createChannelOp, owner, { name: uniq("mine"), kind: "webhook", url: PUBLIC_URL });
    const rule = await call(ops.createRuleOp, owner, { channelId: c.id, events: ["deployment.failed"] });
    const delivery = await call(ops.sendTestOp, owner, { channelId: c.id });
    const attempts: [Operation, Record<string, unknown>][] = [
      [ops.getChannelOp, { channelId: c.id }],
      [ops.updateChannelOp, { channelId: c.id, name: "stolen" }],
      [ops.deleteChannelOp, { channelId: c.id }],
      [ops.rotateSecretOp, { channelId: c.id }],
      [ops.sendTestOp, { channelId: c.id }],
      [ops.listChannelDeliveriesOp, { channelId: c.id }],
      [ops.listDeliveriesOp, { channelId: c.id }],
      [ops.createRuleOp, { channelId: c.id, events: ["host.offline"] }],
      [ops.updateRuleOp, { ruleId: rule.id, events: ["host.offline"] }],
      [ops.deleteRuleOp, { ruleId: rule.id }],
      [ops.resendDeliveryOp, { deliveryId: delivery.id }],
    ];
    for (const [op, input] of attempts) expect({ op: op.id, status: (await refusal(call(op, stranger, input))).status }).toEqual({ op: op.id, status: 404 });
    // Nor through this team's slug: the stranger is no member.
    expect((await refusal(call(ops.getChannelOp, stranger, { channelId: c.id }, owner.team.slug))).status).toBe(404);
    expect((await call(ops.listChannelsOp, stranger)).channels).toEqual([]);
    expect((await call(ops.listDeliveriesOp, stranger)).total).toBe(0);
    const still = await db.notificationChannel.findUniqueOrThrow({ where: { id: c.id }, include: { rules: true } });
    expect(still.name).toBe(c.name);
    expect(still.rules).toHaveLength(1);
    expect(await db.notificationDelivery.count({ where: { channelId: c.id } })).toBe(1);
  });
});
