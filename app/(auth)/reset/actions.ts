"use server";
import { formAction } from "@/lib/api/form";
import { requestResetOp, resetPasswordOp } from "@/lib/api/operations/account";

/** The same answer whether or not the account exists. */
export const requestResetAction = formAction(requestResetOp, {
  done: () => ({ message: "If an account exists for that email, we sent it a link to set a new password. The link works once, for an hour." }),
});

export const resetPasswordAction = formAction(resetPasswordOp, { done: () => ({ go: "/signin?changed=1" }) });
