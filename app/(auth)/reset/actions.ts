"use server";
import { headers } from "next/headers";
import { requestPasswordReset, resetPassword } from "@/lib/data/password-reset";
import { runAction, runActionThenGo, type ActionState } from "@/lib/http/action-state";
import { clientIp } from "@/lib/http/client-ip";
import { formObject } from "@/lib/validation/parse";

/** The same answer whether or not the account exists. */
export async function requestResetAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await requestPasswordReset(values, clientIp(await headers()));
    return { message: "If an account exists for that email, we sent it a link to set a new password. The link works once, for an hour." };
  }, values);
}

export async function resetPasswordAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => {
    await resetPassword(values.token ?? "", values);
    return "/signin?changed=1";
  }, values);
}
