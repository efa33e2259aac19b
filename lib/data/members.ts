// Team members: list, change role, remove, leave. The last owner always stays.
import { db, type Tx } from "@/lib/db";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { canAssignRole, canRemoveMember, ROLE_LABEL } from "@/lib/permissions";
import { parseInput } from "@/lib/validation/parse";
import { changeRoleInput, membershipIdInput } from "@/lib/validation/schemas";
import { recordAudit } from "./audit";
import { authorize, type TeamContext } from "./context";

export async function listMembers(ctx: TeamContext) {
  authorize(ctx, "member.manage");
  return db.membership.findMany({
    where: { teamId: ctx.team.id },
    select: { id: true, role: true, createdAt: true, gitUsernames: true, user: { select: { id: true, name: true, email: true } } },
    orderBy: [{ createdAt: "asc" }],
  });
}

async function findMembership(tx: Tx, ctx: TeamContext, membershipId: string) {
  // The team filter is in the query: another team's membership id is simply not found.
  const m = await tx.membership.findFirst({
    where: { id: membershipId, teamId: ctx.team.id },
    select: { id: true, role: true, userId: true, user: { select: { email: true } } },
  });
  if (!m) throw new NotFoundError("Member not found");
  return m;
}

/** Row-locks the team's owner memberships so two concurrent demotions cannot remove the last owner. */
async function assertAnotherOwner(tx: Tx, teamId: string, leavingUserId: string, message: string) {
  const owners = await tx.$queryRaw<{ userId: string }[]>`
    SELECT "userId" FROM "Membership" WHERE "teamId" = ${teamId} AND role = 'OWNER' FOR UPDATE`;
  if (!owners.some((o) => o.userId !== leavingUserId)) throw new ValidationError(message);
}

export async function changeMemberRole(ctx: TeamContext, input: unknown) {
  authorize(ctx, "member.manage");
  const { membershipId, role } = parseInput(changeRoleInput, input);
  return db.$transaction(async (tx) => {
    const m = await findMembership(tx, ctx, membershipId);
    if (m.role === role) return m;
    if (!canAssignRole(ctx.role, m.role, role)) {
      throw new ForbiddenError(
        `As ${ROLE_LABEL[ctx.role].toLowerCase()} you cannot change a ${ROLE_LABEL[m.role].toLowerCase()} to ${ROLE_LABEL[role].toLowerCase()}.`,
      );
    }
    if (m.role === "OWNER") {
      await assertAnotherOwner(tx, ctx.team.id, m.userId, "The team needs at least one owner: make someone else an owner first.");
    }
    const updated = await tx.membership.update({ where: { id: m.id }, data: { role }, select: { id: true, role: true, userId: true } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "member.role",
      target: { type: "member", id: m.userId, label: m.user.email },
      data: { role: { from: m.role, to: role } },
    });
    return updated;
  });
}

export async function removeMember(ctx: TeamContext, input: unknown) {
  authorize(ctx, "member.manage");
  const { membershipId } = parseInput(membershipIdInput, input);
  await db.$transaction(async (tx) => {
    const m = await findMembership(tx, ctx, membershipId);
    if (m.userId === ctx.actor.id) throw new ValidationError("To remove yourself, use “Leave team”.");
    if (!canRemoveMember(ctx.role, m.role)) throw new ForbiddenError(`Only owners can remove an ${ROLE_LABEL[m.role].toLowerCase()}.`);
    if (m.role === "OWNER") await assertAnotherOwner(tx, ctx.team.id, m.userId, "The team needs at least one owner.");
    await tx.membership.delete({ where: { id: m.id } });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "member.remove",
      target: { type: "member", id: m.userId, label: m.user.email },
      data: { role: m.role },
    });
  });
}

export async function leaveTeam(ctx: TeamContext) {
  await db.$transaction(async (tx) => {
    if (ctx.role === "OWNER") {
      await assertAnotherOwner(tx, ctx.team.id, ctx.actor.id, "You are the team's last owner: make someone else an owner, or delete the team.");
    }
    const { count } = await tx.membership.deleteMany({ where: { teamId: ctx.team.id, userId: ctx.actor.id } });
    if (count === 0) throw new NotFoundError("Team not found");
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "member.leave", target: { type: "member", id: ctx.actor.id, label: ctx.actor.email } });
  });
}
