"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { apiUser } from "@/lib/auth/session";
import { acceptInvite, acceptInviteAsNewUser } from "@/lib/data/invites";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

export async function acceptInviteAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  let slug: string | undefined;
  const state = await runAction(async () => {
    slug = (await acceptInvite(await apiUser(), values.token ?? "")).slug;
  }, values);
  if (slug) {
    revalidatePath("/", "layout");
    redirect(`/t/${slug}`);
  }
  return state;
}

/** Creates the account and joins; the form then signs in and continues to the team. */
export async function signUpWithInviteAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const { team } = await acceptInviteAsNewUser(values.token ?? "", { name: values.name, password: values.password });
    return { data: { next: `/t/${team.slug}` } };
  }, values);
}
