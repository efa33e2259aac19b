// The machine running Berth is a host too, registered without any step by the user (scripts/local-agent.ts, at
// `npm start`); its agent's credentials live in .berth/ beside the secrets. Which team gets its Docker is the
// instance's decision, never the first sign-up's: BERTH_LOCAL_HOST gives it to the first team (`first-team`) or
// to the team with a given slug once it exists; unset (or `off`) it belongs to no team until the instance owner
// attaches it on the instance page. It is only ever given to a team while it has none (a compare-and-set), and
// every change is audited in that team's log.
import { createHash } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { ACTIVE_ORDER } from "@/lib/deploy/states";
import { env, type LocalHostSetting } from "@/lib/env";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { provisionHostUser } from "@/lib/hosts/redis-acl";
import { can } from "@/lib/permissions";
import { attachLocalHostInput } from "@/lib/validation/instance";
import { parseInput } from "@/lib/validation/parse";
import { type AuditActor, recordAudit } from "./audit";
import type { Actor } from "./context";
import { newHostToken } from "./host-auth";
import { isInstanceOwner, requireInstanceOwner } from "./instance-owner";

type Team = { id: string; slug: string; name: string };

const teamSelect = { id: true, slug: true, name: true } as const;

// There is one local host; should a second row claim to be (tests make some), the first registered is this machine.
const THIS_MACHINE = { where: { isLocal: true }, orderBy: [{ createdAt: "asc" as const }, { id: "asc" as const }] };

/** BERTH_LOCAL_HOST as written, for messages and audit rows. */
export function describeSetting(s: LocalHostSetting): string {
  return s.mode === "team" ? `BERTH_LOCAL_HOST=${s.slug}` : `BERTH_LOCAL_HOST=${s.mode}`;
}

/** The team BERTH_LOCAL_HOST gives this machine to, if that team exists now. */
async function configuredTeam(client: Tx, s: LocalHostSetting): Promise<Team | null> {
  if (s.mode === "first-team") return client.team.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: teamSelect });
  if (s.mode === "team") return client.team.findUnique({ where: { slug: s.slug }, select: teamSelect });
  return null;
}

/** Gives the local host to `team` if it belongs to no team (never takes it from one), with the audit row. */
async function attach(tx: Tx, actor: AuditActor | null, team: Team, data: Record<string, string> = {}): Promise<boolean> {
  const host = await tx.host.findFirst({ ...THIS_MACHINE, select: { id: true, name: true } });
  if (!host) return false;
  const { count } = await tx.host.updateMany({ where: { id: host.id, teamId: null }, data: { teamId: team.id } });
  if (count === 0) return false;
  await recordAudit(tx, actor, { teamId: team.id, action: "instance.local-host.attach", target: { type: "host", id: host.id, label: host.name }, data });
  return true;
}

/**
 * Registers this machine (once) and returns its agent's credentials, rotated when the saved ones are gone or
 * stale; gives it to the team BERTH_LOCAL_HOST names when it has none. `team`: where it belongs now.
 */
export async function ensureLocalHost(saved?: { id: string; token: string }): Promise<{ id: string; token: string; team: string | null }> {
  const setting = env.localHost; // a wrong value stops here, before anything is written
  let host = await db.host.findFirst({ ...THIS_MACHINE, select: { id: true, tokenHash: true } });
  let token = saved?.token;
  if (!host) {
    const fresh = newHostToken();
    token = fresh.token;
    host = await db.host.create({ data: { name: "This machine", isLocal: true, tokenHash: fresh.tokenHash }, select: { id: true, tokenHash: true } });
  } else if (!token || saved?.id !== host.id || createHash("sha256").update(token).digest("hex") !== host.tokenHash) {
    const fresh = newHostToken(); // the saved credentials are gone or stale: rotate
    token = fresh.token;
    await db.host.update({ where: { id: host.id }, data: { tokenHash: fresh.tokenHash } });
    host.tokenHash = fresh.tokenHash;
  }
  await db.$transaction(async (tx) => {
    const team = await configuredTeam(tx, setting);
    if (team) await attach(tx, null, team, { by: describeSetting(setting) });
  });
  await provisionHostUser(host.id, host.tokenHash);
  const now = await db.host.findUniqueOrThrow({ where: { id: host.id }, select: { team: { select: { slug: true } } } });
  return { id: host.id, token: token!, team: now.team?.slug ?? null };
}

/** In createTeam's transaction: the new team gets this machine when BERTH_LOCAL_HOST says so and it has none. */
export async function adoptLocalHost(tx: Tx, actor: Actor, team: Team): Promise<void> {
  const s = env.localHost;
  if (s.mode === "first-team" || (s.mode === "team" && s.slug === team.slug)) await attach(tx, actor, team, { by: describeSetting(s) });
}

/** Whether this machine's Docker waits for the instance owner `actor` to give it to a team (the hosts page says so). */
export async function localHostWaitsFor(actor: Actor): Promise<boolean> {
  if (env.localHost.mode !== "off" || !(await isInstanceOwner(actor))) return false;
  const host = await db.host.findFirst({ ...THIS_MACHINE, select: { teamId: true } });
  return Boolean(host && !host.teamId);
}

/** The instance page's view: where this machine is, who decides, and the teams the owner could give it to. */
export async function localHostState(actor: Actor) {
  await requireInstanceOwner(actor);
  const setting = env.localHost;
  const [host, memberships] = await Promise.all([
    db.host.findFirst({ ...THIS_MACHINE, select: { id: true, name: true, status: true, team: { select: { slug: true, name: true } } } }),
    db.membership.findMany({
      where: { userId: actor.id },
      select: { role: true, team: { select: { slug: true, name: true } } },
      orderBy: { team: { name: "asc" } },
    }),
  ]);
  const team = host?.team && { ...host.team, member: memberships.some((m) => m.team.slug === host.team?.slug) };
  return {
    /** Null: the instance owner decides here; otherwise BERTH_LOCAL_HOST does. */
    configured: setting.mode === "off" ? null : describeSetting(setting),
    host: host && { ...host, team: team ?? null },
    teams: memberships.filter((m) => can(m.role, "host.manage")).map((m) => m.team),
  };
}

function ownerDecides(): void {
  const s = env.localHost;
  if (s.mode !== "off") {
    throw new ConflictError(`${describeSetting(s)} decides which team this machine belongs to; unset it (and restart Berth) to choose here.`);
  }
}

/** The instance owner gives this machine to a team they are an admin or owner of. */
export async function attachLocalHost(actor: Actor, input: unknown): Promise<Team> {
  await requireInstanceOwner(actor);
  const { team: slug } = parseInput(attachLocalHostInput, input);
  ownerDecides();
  return db.$transaction(async (tx) => {
    const m = await tx.membership.findFirst({ where: { userId: actor.id, team: { slug } }, select: { role: true, team: { select: teamSelect } } });
    // Teams they are not in, or only a developer or viewer of, are not theirs to give a host to.
    if (!m || !can(m.role, "host.manage")) throw new NotFoundError("Team not found");
    const host = await lockLocalHost(tx);
    if (host.team) throw new ConflictError(`This machine already belongs to ${host.team.name}: detach it first.`);
    await attach(tx, actor, m.team);
    return m.team;
  });
}

/** Takes this machine from its team, when nothing of that team runs or is deploying on it. */
export async function detachLocalHost(actor: Actor): Promise<void> {
  await requireInstanceOwner(actor);
  ownerDecides();
  await db.$transaction(async (tx) => {
    const host = await lockLocalHost(tx);
    if (!host.team) return; // nothing to do: already no team's
    // A service placed here, or whose live release still runs here, would keep running for the next team to see.
    const services = await tx.service.findMany({
      where: { OR: [{ hostId: host.id }, { liveDeployment: { hostId: host.id } }] },
      select: { name: true, environment: { select: { slug: true, project: { select: { slug: true } } } } },
      take: 4,
    });
    const deploying = await tx.deployment.count({ where: { hostId: host.id, status: { in: [...ACTIVE_ORDER] } } });
    if (services.length || deploying) {
      const names = services.slice(0, 3).map((s) => `${s.environment.project.slug}/${s.environment.slug}/${s.name}`);
      const what = services.length
        ? `Services of ${host.team.name} run on this machine (${names.join(", ")}${services.length > 3 ? ", …" : ""})`
        : `${host.team.name} is deploying on this machine`;
      throw new ConflictError(`${what}: move them to another host or remove them first.`);
    }
    // A team's own decisions about the host go with it: the next team makes its own.
    await tx.host.update({ where: { id: host.id }, data: { teamId: null, baseDomain: "localhost", allowPrivateNetworks: false } });
    await recordAudit(tx, actor, { teamId: host.team.id, action: "instance.local-host.detach", target: { type: "host", id: host.id, label: host.name } });
  });
}

/**
 * The local host's row, locked: a service being placed on it (its foreign key check) waits for this
 * transaction, and so does another attach or detach.
 */
async function lockLocalHost(tx: Tx) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Host" WHERE "isLocal" = true ORDER BY "createdAt", id LIMIT 1 FOR UPDATE`;
  if (!rows[0]) throw new NotFoundError("This machine is not registered as a host yet: Berth registers it when it starts (npm start).");
  return tx.host.findUniqueOrThrow({ where: { id: rows[0].id }, select: { id: true, name: true, team: { select: teamSelect } } });
}
