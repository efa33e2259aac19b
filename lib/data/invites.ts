// Invites: bound to an email, carry a role, expire, single use. Creating one also writes its email to
// the outbox; the control worker delivers it.
import { db, type Tx } from "@/lib/db";
import { env } from "@/lib/env";
import { ConflictError, ForbiddenError, GoneError, NotFoundError, ValidationError } from "@/lib/errors";
import { hashPassword } from "@/lib/auth/password";
import { canAssignRole, inviteReadRole, ROLE_LABEL } from "@/lib/permissions";
import { parseInput } from "@/lib/validation/parse";
import { createInviteInput, inviteIdInput, signUpInput } from "@/lib/validation/schemas";
import { recordAudit } from "./audit";
import { authorize, type Actor, type TeamContext } from "./context";
import { hashInviteToken, inviteStatus, newInviteToken } from "./invite-token";
import { dispatchOutboxEmail, queueOutboxEmail } from "./outbox";
import { isUniqueViolation } from "./unique-violation";
import { createAccount } from "./users";

export function inviteUrl(token: string): string {
  return `${env.appUrl}/invite/${token}`;
}

export async function listInvites(ctx: TeamContext) {
  authorize(ctx, "member.manage");
  const rows = await db.invite.findMany({
    where: { teamId: ctx.team.id, acceptedAt: null, revokedAt: null },
    select: { id: true, email: true, role: true, expiresAt: true, acceptedAt: true, revokedAt: true, createdAt: true, createdBy: { select: { email: true } } },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
  const now = new Date();
  return rows.map((r) => ({ ...r, status: inviteStatus(r, now) }));
}

/** Creates an invite; returns its link once (only a hash of the token is kept). */
export async function createInvite(ctx: TeamContext, input: unknown) {
  authorize(ctx, "member.manage");
  const data = parseInput(createInviteInput, input);
  if (!canAssignRole(ctx.role, null, data.role)) {
    throw new ForbiddenError(`Only owners can invite someone as ${ROLE_LABEL[data.role].toLowerCase()}.`);
  }
  const { token, tokenHash } = newInviteToken();
  const expiresAt = new Date(Date.now() + data.expiresInDays * 86_400_000);
  const url = inviteUrl(token);
  const { invite, outboxId } = await db.$transaction(async (tx) => {
    const member = await tx.membership.findFirst({ where: { teamId: ctx.team.id, user: { email: data.email } }, select: { id: true } });
    if (member) throw new ConflictError(`${data.email} is already a member of ${ctx.team.name}.`, { email: ["Already a member."] });
    // Inviting the same email again replaces the earlier pending invite.
    await tx.invite.updateMany({
      where: { teamId: ctx.team.id, email: data.email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const invite = await tx.invite.create({
      data: { teamId: ctx.team.id, email: data.email, role: data.role, tokenHash, expiresAt, createdById: ctx.actor.id },
      select: { id: true, email: true, role: true, expiresAt: true },
    });
    await recordAudit(tx, ctx.actor, {
      teamId: ctx.team.id,
      action: "invite.create",
      target: { type: "invite", id: invite.id, label: invite.email },
      data: { role: data.role, expiresAt: expiresAt.toISOString() },
    });
    const outboxId = await queueOutboxEmail(tx, {
      teamId: ctx.team.id,
      readRole: inviteReadRole(data.role), // the link is as strong as the role it grants
      to: data.email,
      subject: `${ctx.actor.name} invited you to ${ctx.team.name} on Berth`,
      body: [
        `${ctx.actor.name} (${ctx.actor.email}) invited you to join the team "${ctx.team.name}" on Berth as ${ROLE_LABEL[data.role].toLowerCase()}.`,
        "",
        `Accept the invite: ${url}`,
        "",
        `The link works once, for ${data.email} only, until ${expiresAt.toUTCString()}.`,
      ].join("\n"),
    });
    return { invite, outboxId };
  });
  await dispatchOutboxEmail(outboxId);
  return { ...invite, url };
}

export async function revokeInvite(ctx: TeamContext, input: unknown) {
  authorize(ctx, "member.manage");
  const { inviteId } = parseInput(inviteIdInput, input);
  await db.$transaction(async (tx) => {
    const invite = await tx.invite.findFirst({
      where: { id: inviteId, teamId: ctx.team.id },
      select: { id: true, email: true, acceptedAt: true, revokedAt: true, expiresAt: true },
    });
    if (!invite) throw new NotFoundError("Invite not found");
    const status = inviteStatus(invite);
    if (status === "accepted") throw new ValidationError("This invite was already accepted; remove the member instead.");
    if (status === "revoked") return;
    await tx.invite.update({ where: { id: invite.id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, ctx.actor, { teamId: ctx.team.id, action: "invite.revoke", target: { type: "invite", id: invite.id, label: invite.email } });
  });
}

/** What the invite page shows before sign-in. Unknown tokens are not found; used ones say why. */
export async function previewInvite(token: string) {
  const invite = await db.invite.findUnique({
    where: { tokenHash: hashInviteToken(token) },
    select: {
      email: true,
      role: true,
      expiresAt: true,
      acceptedAt: true,
      revokedAt: true,
      team: { select: { name: true, slug: true } },
      createdBy: { select: { name: true } },
    },
  });
  if (!invite) throw new NotFoundError("This invite link is not valid. Ask for a new one.");
  const accountExists = (await db.user.count({ where: { email: invite.email } })) > 0;
  return { ...invite, status: inviteStatus(invite), accountExists };
}

/** Locks the invite row and checks it can still be used by `email`. */
async function claimInvite(tx: Tx, token: string, email: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Invite" WHERE "tokenHash" = ${hashInviteToken(token)} FOR UPDATE`;
  if (!rows[0]) throw new NotFoundError("This invite link is not valid. Ask for a new one.");
  const invite = await tx.invite.findUniqueOrThrow({
    where: { id: rows[0].id },
    select: {
      id: true,
      teamId: true,
      email: true,
      role: true,
      expiresAt: true,
      acceptedAt: true,
      revokedAt: true,
      team: { select: { slug: true, name: true } },
    },
  });
  switch (inviteStatus(invite)) {
    case "accepted":
      throw new GoneError("This invite has already been used. Ask for a new one.");
    case "revoked":
      throw new GoneError("This invite was revoked. Ask for a new one.");
    case "expired":
      throw new GoneError("This invite has expired. Ask for a new one.");
    case "pending":
      break;
  }
  if (invite.email !== email.toLowerCase()) {
    throw new ForbiddenError(`This invite is for ${invite.email}; you are signed in as ${email}.`);
  }
  return invite;
}

async function join(tx: Tx, actor: Actor, invite: Awaited<ReturnType<typeof claimInvite>>) {
  const existing = await tx.membership.findFirst({ where: { teamId: invite.teamId, userId: actor.id }, select: { id: true } });
  if (existing) throw new ConflictError(`You are already a member of ${invite.team.name}.`);
  await tx.membership.create({ data: { teamId: invite.teamId, userId: actor.id, role: invite.role } });
  await tx.invite.update({ where: { id: invite.id }, data: { acceptedAt: new Date(), acceptedById: actor.id } });
  await recordAudit(tx, actor, {
    teamId: invite.teamId,
    action: "invite.accept",
    target: { type: "member", id: actor.id, label: actor.email },
    data: { role: invite.role, inviteId: invite.id },
  });
  return invite.team;
}

export async function acceptInvite(actor: Actor, token: string) {
  return db.$transaction(async (tx) => join(tx, actor, await claimInvite(tx, token, actor.email)));
}

/** Sign-up through an invite: the account and the membership are created together, or neither is. */
export async function acceptInviteAsNewUser(token: string, input: { name: unknown; password: unknown }) {
  const preview = await previewInvite(token);
  const data = parseInput(signUpInput, { ...input, email: preview.email });
  const passwordHash = await hashPassword(data.password);
  try {
    return await db.$transaction(async (tx) => {
      const invite = await claimInvite(tx, token, data.email);
      // The claimed invite is what lets this email in, whatever the sign-up policy says.
      const user = await createAccount(tx, { email: data.email, name: data.name, passwordHash }, { invited: true });
      const team = await join(tx, user, invite);
      return { user, team };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError("An account with this email already exists: sign in to accept the invite.");
    throw e;
  }
}
