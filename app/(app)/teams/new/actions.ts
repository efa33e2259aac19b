"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { apiUser } from "@/lib/auth/session";
import { createTeam } from "@/lib/data/teams";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

export async function createTeamAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  let slug: string | undefined;
  const state = await runAction(async () => {
    slug = (await createTeam(await apiUser(), values)).slug;
  }, values);
  if (slug) {
    revalidatePath("/", "layout"); // the header's team list
    redirect(`/t/${slug}`);
  }
  return state;
}
