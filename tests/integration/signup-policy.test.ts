// Who may sign up, and who owns the instance: the first account ever (in a fresh database of its own), then the
// sign-up policy enforced by signUp() itself, invites that always work, the instance owner's settings (not found
// for anyone else), and where this machine's Docker goes (BERTH_LOCAL_HOST, or the owner's attach and detach).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { invoke } from "@/lib/api/invoke";
import { setSignupPolicyOp } from "@/lib/api/operations/instance";
import { createApiToken } from "@/lib/data/api-tokens";
import { type Actor, resolveTeamContext } from "@/lib/data/context";
import { getSignupSettings, setSignupPolicy, signUpPageInfo } from "@/lib/data/instance-settings";
import { isInstanceOwner } from "@/lib/data/instance-owner";
import { acceptInviteAsNewUser, createInvite } from "@/lib/data/invites";
import { attachLocalHost, detachLocalHost, ensureLocalHost, localHostState, localHostWaitsFor } from "@/lib/data/local-host";
import { addMember, makeTeam, makeUser, PASSWORD, uniq } from "./support/factory";
import { createTeam } from "@/lib/data/teams";
import { signUp } from "@/lib/data/users";
import { db } from "@/lib/db";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { forgetHost } from "@/lib/hosts/forget-host";
import { openSignUp } from "../support/signup-policy";

const run = promisify(execFile);
const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);
const tokenOf = (url: string) => url.split("/invite/")[1]!;
const stranger = (domain = "elsewhere.test") => ({ name: "Stranger", email: `${uniq("s")}@${domain}`, password: PASSWORD });

/** The test database's instance owner (its oldest account), or a new first account in an empty one. */
async function instanceOwner(): Promise<Actor> {
  const row = await db.user.findFirst({ where: { instanceOwner: true }, orderBy: { createdAt: "asc" }, select: { id: true, email: true, name: true } });
  return row ?? makeUser("Instance owner");
}

async function policy(signupPolicy: "OPEN" | "INVITE_ONLY" | "DOMAINS", signupDomains?: string[]) {
  return setSignupPolicy(await instanceOwner(), { signupPolicy, signupDomains });
}

async function expectRefused(input: ReturnType<typeof stranger>, message: RegExp) {
  const err = await signUp(input).catch((e) => e);
  expect(err).toBeInstanceOf(ForbiddenError);
  expect(err.message).toMatch(message);
  expect(await db.user.findUnique({ where: { email: input.email.toLowerCase() } })).toBeNull();
  expect(await db.auditEvent.count({ where: { actorEmail: input.email.toLowerCase() } })).toBe(0);
}

// Each test starts with sign-up open, and the file leaves it so.
beforeAll(openSignUp);
afterEach(openSignUp);

describe("the first account", () => {
  const name = `berth_fresh_${randomBytes(4).toString("hex")}`;
  let url = "";

  beforeAll(async () => {
    await db.$executeRawUnsafe(`CREATE DATABASE "${name}"`);
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/${name}`;
    url = u.toString();
    await run(bin("prisma"), ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url } });
  }, 180_000);

  afterAll(async () => {
    await db.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it("owns the instance, and of first sign-ups at once exactly one does; later ones need an invite by default", async () => {
    const { stdout } = await run(bin("tsx"), ["tests/integration/support/fresh-instance.ts"], { env: { ...process.env, DATABASE_URL: url } });
    const { byDefault, open } = JSON.parse(stdout.trim().split("\n").at(-1)!);
    // No settings row: invitation only after the first account, so the others are refused and write nothing.
    expect(byDefault).toMatchObject({ created: 1, users: 1, owners: 1, audits: 1 });
    expect(byDefault.refusals).toHaveLength(5);
    for (const r of byDefault.refusals) expect(r).toMatch(/by invitation/);
    // Open sign-up: all get in, still one owner.
    expect(open).toMatchObject({ created: 6, users: 6, owners: 1, refusals: [] });
  }, 60_000);
});

describe("sign-up policy", () => {
  it("open: anyone signs up, and is no instance owner", async () => {
    await policy("OPEN");
    const user = await signUp(stranger());
    expect(await isInstanceOwner(user)).toBe(false);
    expect(await signUpPageInfo()).toMatchObject({ first: false, signupPolicy: "OPEN" });
  });

  it("invitation only: a stranger is refused with a clear message and nothing is written", async () => {
    await policy("INVITE_ONLY");
    await expectRefused(stranger(), /^Sign-up on this Berth is by invitation: ask a team admin to invite you/);
    expect(await signUpPageInfo()).toMatchObject({ first: false, signupPolicy: "INVITE_ONLY" });
  });

  it("domains: exact domains only (any case), no subdomains or look-alikes unless listed", async () => {
    await policy("DOMAINS", ["corp.test", "eu.partner.test"]);
    expect((await signUp(stranger("corp.test"))).email).toMatch(/@corp\.test$/);
    expect((await signUp(stranger("CORP.Test"))).email).toMatch(/@corp\.test$/);
    expect((await signUp(stranger("eu.partner.test"))).email).toMatch(/@eu\.partner\.test$/);
    const refusal = /^Sign-up on this Berth is for @corp\.test or @eu\.partner\.test addresses/;
    await expectRefused(stranger("dev.corp.test"), refusal);
    await expectRefused(stranger("partner.test"), refusal);
    await expectRefused(stranger("corp.test.evil.test"), refusal);
    await expectRefused(stranger("notcorp.test"), refusal);
  });

  it("an invite lets its email sign up under invitation only and under domains, as a plain member", async () => {
    await policy("OPEN");
    const team = await makeTeam();
    const policies: [Parameters<typeof policy>[0], string[]?][] = [["INVITE_ONLY"], ["DOMAINS", ["corp.test"]]];
    for (const [signupPolicy, domains] of policies) {
      const email = `${uniq("invited")}@elsewhere.test`;
      const invite = await createInvite(team, { email, role: "DEVELOPER" });
      await policy(signupPolicy, domains);
      await expectRefused({ name: "Invited", email, password: PASSWORD }, /Sign-up on this Berth is/); // not without the link
      const { user, team: joined } = await acceptInviteAsNewUser(tokenOf(invite.url), { name: "Invited", password: PASSWORD });
      expect(joined.slug).toBe(team.team.slug);
      expect(await isInstanceOwner(user)).toBe(false);
      expect((await db.membership.findFirstOrThrow({ where: { userId: user.id, teamId: team.team.id } })).role).toBe("DEVELOPER");
      const audit = await db.auditEvent.findFirstOrThrow({ where: { actorId: user.id, action: "user.signup" } });
      expect(audit.data).toEqual({ via: "invite" });
      await policy("OPEN");
    }
  });

  it("only the instance owner reads or changes it: anyone else finds nothing, and tokens cannot", async () => {
    const team = await makeTeam(); // a team owner is not the instance owner
    const admin = await addMember(team, "ADMIN");
    await policy("INVITE_ONLY");
    for (const actor of [team.actor, admin.actor]) {
      await expect(setSignupPolicy(actor, { signupPolicy: "OPEN" })).rejects.toBeInstanceOf(NotFoundError);
      await expect(getSignupSettings(actor)).rejects.toBeInstanceOf(NotFoundError);
      const call = { input: () => ({ signupPolicy: "OPEN" }) };
      await expect(invoke(setSignupPolicyOp, { kind: "session", user: actor, sessionId: "s" }, call, { ip: "127.0.0.1" })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    // Not even the instance owner's own API token, with every scope: browser sessions only.
    const owner = await instanceOwner();
    const ownTeam = await createTeam(owner, { name: `Owner's ${uniq()}`, slug: uniq("own") });
    const { token } = await createApiToken(await resolveTeamContext(owner, ownTeam.slug), { name: uniq("tok"), scopes: ["admin"] });
    const viaToken = invoke(setSignupPolicyOp, { kind: "token", token }, { input: () => ({ signupPolicy: "OPEN" }) }, { ip: "127.0.0.1" });
    await expect(viaToken).rejects.toThrow(/API tokens cannot do this/);
    expect((await getSignupSettings(owner)).signupPolicy).toBe("INVITE_ONLY");
    // Through the chain, the owner's change is the same data-layer call.
    const out = await invoke(
      setSignupPolicyOp,
      { kind: "session", user: owner, sessionId: "s" },
      { input: () => ({ signupPolicy: "OPEN" }) },
      { ip: "127.0.0.1" },
    );
    expect(out).toEqual({ signupPolicy: "OPEN", signupDomains: expect.any(Array) });
  });

  it("domains are checked, lowercased, deduplicated and at most 50; the change is audited", async () => {
    const owner = await instanceOwner();
    const saved = await setSignupPolicy(owner, { signupPolicy: "DOMAINS", signupDomains: "Corp.TEST\n@corp.test, eu.corp.test;\n\n xn--bcher-kva.test " });
    expect(saved).toEqual({ signupPolicy: "DOMAINS", signupDomains: ["corp.test", "eu.corp.test", "xn--bcher-kva.test"] });
    expect(await setSignupPolicy(owner, { signupPolicy: "DOMAINS", signupDomains: ["a.test", "A.test"] })).toEqual({
      signupPolicy: "DOMAINS",
      signupDomains: ["a.test"],
    });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { actorId: owner.id, action: "instance.signup-policy" }, orderBy: { createdAt: "desc" } });
    expect(audit).toMatchObject({
      teamId: null,
      data: { from: { signupDomains: saved.signupDomains }, to: { signupPolicy: "DOMAINS", signupDomains: ["a.test"] } },
    });
    // Left out, the domains stay as saved.
    expect(await setSignupPolicy(owner, { signupPolicy: "OPEN" })).toEqual({ signupPolicy: "OPEN", signupDomains: ["a.test"] });

    const bad: [unknown, RegExp][] = [
      ["localhost", /"localhost" is not a domain name/],
      ["exa_mple.test", /not a domain name/],
      ["192.168.1.10", /not a domain name/],
      ["-corp.test", /not a domain name/],
      ["corp..test", /not a domain name/],
      ["ada@corp.test", /not a domain name/],
      ["bücher.test", /xn-- form/],
      [Array.from({ length: 51 }, (_, i) => `d${i}.test`), /at most 50 domains/],
      [42, /List the email domains/],
    ];
    for (const [signupDomains, message] of bad) {
      const err = await setSignupPolicy(owner, { signupPolicy: "DOMAINS", signupDomains }).catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.fields.signupDomains?.[0]).toMatch(message);
    }
    expect(await setSignupPolicy(owner, { signupPolicy: "DOMAINS", signupDomains: Array.from({ length: 50 }, (_, i) => `d${i}.test`) })).toMatchObject({
      signupDomains: expect.arrayContaining(["d49.test"]),
    });
    await expect(setSignupPolicy(owner, { signupPolicy: "DOMAINS", signupDomains: "" })).rejects.toThrow(/Add at least one email domain/);
    await expect(setSignupPolicy(owner, { signupPolicy: "SOMETIMES" })).rejects.toThrow(/Choose who may sign up/);
    expect((await getSignupSettings(owner)).signupDomains).toHaveLength(50); // the refused changes wrote nothing
  });
});

describe("this machine's Docker", () => {
  const saved = process.env.BERTH_LOCAL_HOST;
  let local: { id: string; created: boolean; teamId: string | null };
  let placed: string | undefined; // the service a test puts on it

  // The test database's local host (made here if there is none), without a team while these tests run.
  beforeAll(async () => {
    const before = await db.host.findFirst({ where: { isLocal: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, teamId: true } });
    process.env.BERTH_LOCAL_HOST = "off";
    const host = await ensureLocalHost();
    local = { id: host.id, created: host.id !== before?.id, teamId: before?.teamId ?? null };
    await db.host.update({ where: { id: host.id }, data: { teamId: null } });
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.BERTH_LOCAL_HOST;
    else process.env.BERTH_LOCAL_HOST = saved;
    if (placed) await db.service.deleteMany({ where: { id: placed } });
    if (local.created) {
      await db.host.delete({ where: { id: local.id } });
      await forgetHost(local.id);
    } else {
      await db.host.update({ where: { id: local.id }, data: { teamId: local.teamId } });
    }
  });

  it("unset, the owner attaches it to a team they admin and detaches it, audited in that team; nobody else can", async () => {
    process.env.BERTH_LOCAL_HOST = "off";
    const owner = await instanceOwner();
    const mine = await createTeam(owner, { name: `Owner's ${uniq()}`, slug: uniq("own") });
    expect((await db.host.findUniqueOrThrow({ where: { id: local.id } })).teamId).toBeNull(); // a new team does not take it
    const other = await makeTeam();
    const asDeveloper = await db.membership.create({ data: { teamId: other.team.id, userId: owner.id, role: "DEVELOPER" } });

    expect((await localHostState(owner)).teams.map((t) => t.slug)).toContain(mine.slug);
    expect((await localHostState(owner)).teams.map((t) => t.slug)).not.toContain(other.team.slug);
    await expect(attachLocalHost(owner, { team: other.team.slug })).rejects.toBeInstanceOf(NotFoundError); // only a developer there
    await expect(attachLocalHost(other.actor, { team: other.team.slug })).rejects.toBeInstanceOf(NotFoundError); // not the instance owner
    await expect(localHostState(other.actor)).rejects.toBeInstanceOf(NotFoundError);
    await expect(attachLocalHost(owner, { team: "" })).rejects.toBeInstanceOf(ValidationError);
    // The hosts page points the owner, and only the owner, at the Instance page while it waits.
    expect(await localHostWaitsFor(owner)).toBe(true);
    expect(await localHostWaitsFor(other.actor)).toBe(false);

    await attachLocalHost(owner, { team: mine.slug });
    expect(await localHostWaitsFor(owner)).toBe(false);
    expect((await db.host.findUniqueOrThrow({ where: { id: local.id } })).teamId).toBe(mine.id);
    expect(
      await db.auditEvent.findFirst({ where: { teamId: mine.id, action: "instance.local-host.attach", actorId: owner.id, targetId: local.id } }),
    ).not.toBeNull();
    expect((await localHostState(owner)).host?.team?.slug).toBe(mine.slug);
    await db.membership.update({ where: { id: asDeveloper.id }, data: { role: "ADMIN" } });
    await expect(attachLocalHost(owner, { team: other.team.slug })).rejects.toThrow(/already belongs to/); // never taken from a team

    // Its team's services on it keep it there.
    await db.host.update({ where: { id: local.id }, data: { allowPrivateNetworks: true, baseDomain: "apps.mine.test" } });
    const project = await db.project.create({ data: { teamId: mine.id, name: "P", slug: uniq("p") } });
    const env = await db.environment.create({ data: { projectId: project.id, name: "staging", slug: "staging" } });
    const service = await db.service.create({
      data: { environmentId: env.id, name: "web", image: "nginx", command: [], ports: [], volumes: [], hostId: local.id },
    });
    placed = service.id;
    await expect(detachLocalHost(other.actor)).rejects.toBeInstanceOf(NotFoundError);
    await expect(detachLocalHost(owner)).rejects.toThrow(new RegExp(`Services of .* run on this machine \\(${project.slug}/staging/web\\): move them`));
    await db.service.delete({ where: { id: service.id } });

    await detachLocalHost(owner);
    const after = await db.host.findUniqueOrThrow({ where: { id: local.id } });
    expect(after).toMatchObject({ teamId: null, allowPrivateNetworks: false, baseDomain: "localhost" });
    expect(await db.auditEvent.findFirst({ where: { teamId: mine.id, action: "instance.local-host.detach", actorId: owner.id } })).not.toBeNull();
    await attachLocalHost(owner, { team: other.team.slug }); // now an admin there
    expect((await db.host.findUniqueOrThrow({ where: { id: local.id } })).teamId).toBe(other.team.id);
    await detachLocalHost(owner);
  });

  it("BERTH_LOCAL_HOST=first-team gives it to the next team made; the owner cannot move it meanwhile", async () => {
    process.env.BERTH_LOCAL_HOST = "first-team";
    const owner = await instanceOwner();
    const first = await createTeam(owner, { name: `First ${uniq()}`, slug: uniq("first") });
    expect((await db.host.findUniqueOrThrow({ where: { id: local.id } })).teamId).toBe(first.id);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { teamId: first.id, action: "instance.local-host.attach" } });
    expect(audit.data).toEqual({ by: "BERTH_LOCAL_HOST=first-team" });
    const second = await createTeam(owner, { name: `Second ${uniq()}`, slug: uniq("second") });
    expect((await db.host.findUniqueOrThrow({ where: { id: local.id } })).teamId).toBe(first.id); // kept
    await expect(detachLocalHost(owner)).rejects.toThrow(/BERTH_LOCAL_HOST=first-team decides/);
    await expect(attachLocalHost(owner, { team: second.slug })).rejects.toBeInstanceOf(ConflictError);
    expect((await localHostState(owner)).configured).toBe("BERTH_LOCAL_HOST=first-team");
    await db.host.update({ where: { id: local.id }, data: { teamId: null } });
  });

  it("BERTH_LOCAL_HOST=<slug> gives it to that team once it exists, at creation or when Berth starts", async () => {
    const owner = await instanceOwner();
    const slug = uniq("named");
    process.env.BERTH_LOCAL_HOST = slug;
    await createTeam(owner, { name: `Not it ${uniq()}`, slug: uniq("notit") });
    expect((await ensureLocalHost()).team).toBeNull(); // the team does not exist yet
    const named = await createTeam(owner, { name: `Named ${uniq()}`, slug });
    expect((await db.host.findUniqueOrThrow({ where: { id: local.id } })).teamId).toBe(named.id);

    // Already there when Berth starts: registration attaches it, audited as the system's act.
    await db.host.update({ where: { id: local.id }, data: { teamId: null } });
    expect((await ensureLocalHost()).team).toBe(slug);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { teamId: named.id, action: "instance.local-host.attach", actorId: null } });
    expect(audit).toMatchObject({ actorEmail: "system", data: { by: `BERTH_LOCAL_HOST=${slug}` } });

    process.env.BERTH_LOCAL_HOST = "Not A Slug";
    await expect(ensureLocalHost()).rejects.toThrow(/BERTH_LOCAL_HOST is "Not A Slug": use first-team, off, or a team's URL name/);
    process.env.BERTH_LOCAL_HOST = "off";
    await db.host.update({ where: { id: local.id }, data: { teamId: null } });
  });
});
