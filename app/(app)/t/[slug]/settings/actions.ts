"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { apiTeam } from "@/lib/auth/session";
import { leaveTeam } from "@/lib/data/members";
import { deleteTeam, renameTeam } from "@/lib/data/teams";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

// Each action re-derives the team context from the session and the submitted slug: the form's hidden
// `team` field picks a team, membership decides whether the caller may touch it.

export async function renameTeamAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await renameTeam(await apiTeam(values.team), values);
    revalidatePath("/", "layout");
    return { message: "Team renamed." };
  }, values);
}

export async function leaveTeamAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  let left = false;
  const state = await runAction(async () => {
    await leaveTeam(await apiTeam(values.team));
    left = true;
  }, values);
  if (left) {
    revalidatePath("/", "layout");
    redirect("/");
  }
  return state;
}

export async function deleteTeamAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  let deleted = false;
  const state = await runAction(async () => {
    await deleteTeam(await apiTeam(values.team), values);
    deleted = true;
  }, values);
  if (deleted) {
    revalidatePath("/", "layout");
    redirect("/");
  }
  return state;
}
