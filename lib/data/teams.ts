// Teams: create, list the signed-in user's, rename, delete (with their hosts' Redis logins and keys).
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { ConflictError, ValidationError } from "@/lib/errors";
import { forgetHosts } from "@/lib/hosts/forget-host";
import { slugify } from "@/lib/validation/fields";
import { parseInput } from "@/lib/validation/parse";
import { createTeamInput, deleteTeamInput, renameTeamInput } from "@/lib/validation/schemas";
import { recordAudit } from "./audit";
import { authorize, readMemberships, type Actor, type TeamContext } from "./context";
import { adoptLocalHost } from "./local-host";
import { isUniqueViolation } from "./unique-violation";

/** Slugs that would collide with Berth's own routes if a team took them. */
const RESERVED = new Set(["new", "api", "settings", "admin", "invite", "signin", "signup", "account", "teams"]);

export async function listMyTeams(actor: Actor) {
  return (await readMemberships(actor)).teams;
}

export async function createTeam(actor: Actor, input: unknown) {
  const data = parseInput(createTeamInput, input);
  const explicit = Boolean(data.slug);
  let slug = data.slug ?? slugify(data.name);
  if (!slug) slug = `team-${randomBytes(3).toString("hex")}`;
  if (RESERVED.has(slug)) {
    if (explicit) throw new ValidationError(`"${slug}" is reserved; choose another.`, { slug: ["This name is reserved."] });
    slug = `${slug}-team`;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const team = await tx.team.create({ data: { name: data.name, slug }, select: { id: true, slug: true, name: true } });
        await tx.membership.create({ data: { teamId: team.id, userId: actor.id, role: "OWNER" } });
        // This machine's Docker, when BERTH_LOCAL_HOST gives it to this team (lib/data/local-host.ts).
        await adoptLocalHost(tx, actor, team);
        await recordAudit(tx, actor, { teamId: team.id, action: "team.create", target: { type: "team", id: team.id, label: team.name }, data: { slug } });
        return team;
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      if (explicit) throw new ConflictError(`The URL name "${slug}" is taken; choose another.`, { slug: ["Already taken."] });
      if (attempt >= 4) throw e;
      slug = `${slugify(data.name).slice(0, 33) || "team"}-${randomBytes(3).toString("hex")}`;
    }
  }
}

export async function renameTeam(ctx: TeamContext, input: unknown) {
  authorize(ctx, "team.rename");
  const data = parseInput(renameTeamInput, input);
  return db.$transaction(async (tx) => {
    const team = await tx.team.update({ where: { id: ctx.team.id }, data: { name: data.name }, select: { id: true, slug: true, name: true } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "team.rename",
      target: { type: "team", id: ctx.team.id, label: data.name },
      data: { name: { from: ctx.team.name, to: data.name } },
    });
    return team;
  });
}

/** Deletes the team and everything it owns; the caller must type the team's name to confirm. */
export async function deleteTeam(ctx: TeamContext, input: unknown) {
  authorize(ctx, "team.delete");
  const { confirm } = parseInput(deleteTeamInput, input);
  if (confirm.trim() !== ctx.team.name) {
    throw new ValidationError(`Type the team's name, "${ctx.team.name}", to confirm.`, { confirm: ["Does not match the team's name."] });
  }
  const hosts = await db.$transaction(async (tx) => {
    // Written before the delete; the row outlives the team (its teamId becomes null).
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "team.delete",
      target: { type: "team", id: ctx.team.id, label: ctx.team.name },
      data: { slug: ctx.team.slug },
    });
    const hosts = await tx.host.findMany({ where: { teamId: ctx.team.id }, select: { id: true } });
    await tx.team.delete({ where: { id: ctx.team.id } });
    return hosts;
  });
  // Its hosts went with it: their Redis logins and keys go now that the delete is committed.
  await forgetHosts(hosts.map((h) => h.id));
}

/** Summary numbers for the team's overview page. */
export async function teamOverview(ctx: TeamContext) {
  authorize(ctx, "team.read");
  const [members, pendingInvites, hosts, hostsOnline, running, projects] = await Promise.all([
    db.membership.count({ where: { teamId: ctx.team.id } }),
    db.invite.count({ where: { teamId: ctx.team.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } } }),
    db.host.count({ where: { teamId: ctx.team.id } }),
    db.host.count({ where: { teamId: ctx.team.id, status: "ONLINE" } }),
    db.container.count({ where: { host: { teamId: ctx.team.id }, state: "running" } }),
    db.project.count({ where: { teamId: ctx.team.id, archivedAt: null } }),
  ]);
  return { members, pendingInvites, hosts, hostsOnline, running, projects };
}
