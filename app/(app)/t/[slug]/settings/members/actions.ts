"use server";
import { formAction } from "@/lib/api/form";
import { changeRoleOp, createInviteOp, removeMemberOp, revokeInviteOp } from "@/lib/api/operations/members";

const membersPage = (v: Record<string, string>) => `/t/${v.team}/settings/members`;

export const createInviteAction = formAction(createInviteOp, {
  done: (invite, v) => ({
    message: `Invite created for ${invite.email}. The email is in the outbox; you can also share this link:`,
    data: { url: invite.url },
    revalidate: membersPage(v),
  }),
});

export const revokeInviteAction = formAction(revokeInviteOp, { done: (_, v) => ({ revalidate: membersPage(v) }) });

export const changeRoleAction = formAction(changeRoleOp, { done: (_, v) => ({ message: "Role updated.", revalidate: membersPage(v) }) });

export const removeMemberAction = formAction(removeMemberOp, { done: (_, v) => ({ revalidate: membersPage(v) }) });
