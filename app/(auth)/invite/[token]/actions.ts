"use server";
import { apiUser } from "@/lib/auth/session";
import { acceptInvite, acceptInviteAsNewUser } from "@/lib/data/invites";
import { runAction, runActionThenGo, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

export async function acceptInviteAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => `/t/${(await acceptInvite(await apiUser(), values.token ?? "")).slug}`, values);
}

/** Creates the account and joins; the form then signs in and continues to the team. */
export async function signUpWithInviteAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const { team } = await acceptInviteAsNewUser(values.token ?? "", { name: values.name, password: values.password });
    return { data: { next: `/t/${team.slug}` } };
  }, values);
}
