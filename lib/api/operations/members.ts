// Members and invites: list, change role, remove; invite, list and revoke invites; accept an invite, with
// an account or by making one. Accepting checks the invite's own token, so it needs no team in the address.
import { z } from "zod";
import { acceptInvite, acceptInviteAsNewUser, createInvite, listInvites, revokeInvite } from "@/lib/data/invites";
import { changeMemberRole, listMembers, removeMember } from "@/lib/data/members";
import { UnauthorizedError } from "@/lib/errors";
import { password, personName } from "@/lib/validation/fields";
import { changeRoleInput, createInviteInput, inviteIdInput, membershipIdInput } from "@/lib/validation/schemas";
import { createdInvite, invite, member, membershipRole } from "../outputs/member";
import { teamRef } from "../outputs/team";
import { publicOp, teamOp, type Operation } from "../operation";

export const listMembersOp = teamOp({
  id: "members.list",
  method: "GET",
  path: "/teams/{team}/members",
  summary: "The team's members and their roles, oldest first.",
  permission: "member.manage",
  input: z.object({}),
  output: z.object({ members: z.array(member) }),
  run: async (ctx) => ({ members: await listMembers(ctx) }),
});

export const changeRoleOp = teamOp({
  id: "members.role",
  method: "PATCH",
  path: "/teams/{team}/members/{membershipId}",
  summary: "Change a member's role. Nobody gives more than they hold, only owners touch owners, and the last owner stays.",
  permission: "member.manage",
  input: changeRoleInput,
  output: membershipRole,
  run: (ctx, i) => changeMemberRole(ctx, i),
});

export const removeMemberOp = teamOp({
  id: "members.remove",
  method: "DELETE",
  path: "/teams/{team}/members/{membershipId}",
  summary: "Remove a member from the team (to remove yourself, leave the team).",
  permission: "member.manage",
  input: membershipIdInput,
  output: z.void(),
  status: 204,
  run: (ctx, i) => removeMember(ctx, i),
});

export const listInvitesOp = teamOp({
  id: "invites.list",
  method: "GET",
  path: "/teams/{team}/invites",
  summary: "The team's open invites (neither accepted nor revoked), newest first, with their status.",
  permission: "member.manage",
  input: z.object({}),
  output: z.object({ invites: z.array(invite) }),
  run: async (ctx) => ({ invites: await listInvites(ctx) }),
});

export const createInviteOp = teamOp({
  id: "invites.create",
  method: "POST",
  path: "/teams/{team}/invites",
  summary:
    "Invite an email as a role; an earlier open invite of that email is revoked. The answer's `url` is the invite link, shown this once (its email is in the team's outbox too).",
  permission: "member.manage",
  input: createInviteInput,
  output: createdInvite,
  status: 201,
  run: (ctx, i) => createInvite(ctx, i),
});

export const revokeInviteOp = teamOp({
  id: "invites.revoke",
  method: "DELETE",
  path: "/teams/{team}/invites/{inviteId}",
  summary: "Revoke an open invite: its link stops working. Revoking a revoked one changes nothing.",
  permission: "member.manage",
  input: inviteIdInput,
  output: z.void(),
  status: 204,
  run: (ctx, i) => revokeInvite(ctx, i),
});

const inviteToken = z.string({ error: "This invite link is not valid." }).min(1, "This invite link is not valid.").max(200, "This invite link is not valid.");

export const acceptInviteOp = publicOp({
  id: "invites.accept",
  method: "POST",
  path: "/invites/accept",
  summary: "Join a team with an invite's token (the last part of its link), signed in as the invited email.",
  input: z.object({ token: inviteToken }),
  output: teamRef.pick({ slug: true, name: true }),
  run: (i, meta) => {
    if (!meta.user) throw new UnauthorizedError("Sign in as the invited email to accept the invite.");
    return acceptInvite(meta.user, i.token);
  },
});

export const inviteSignUpOp = publicOp({
  id: "invites.signup",
  method: "POST",
  path: "/invites/signup",
  summary: "Make an account for an invite's email and join its team, in one step. Sign in afterwards.",
  input: z.object({ token: inviteToken, name: personName, password }),
  output: z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string() }), team: teamRef.pick({ slug: true, name: true }) }),
  status: 201,
  run: (i) => acceptInviteAsNewUser(i.token, { name: i.name, password: i.password }),
});

export const memberOps: Operation[] = [
  listMembersOp,
  changeRoleOp,
  removeMemberOp,
  listInvitesOp,
  createInviteOp,
  revokeInviteOp,
  acceptInviteOp,
  inviteSignUpOp,
];
