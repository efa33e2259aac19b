"use server";
import { formAction } from "@/lib/api/form";
import { acceptInviteOp, inviteSignUpOp } from "@/lib/api/operations/members";

export const acceptInviteAction = formAction(acceptInviteOp, { done: (team) => ({ go: `/t/${team.slug}` }) });

/** Creates the account and joins; the form then signs in and continues to the team. */
export const signUpWithInviteAction = formAction(inviteSignUpOp, { done: ({ team }) => ({ data: { next: `/t/${team.slug}` } }) });
