"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { leaveTeam } from "@/lib/data/members";
import { deleteTeam, renameTeam } from "@/lib/data/teams";
import { runAction, runActionThenGo, type ActionState } from "@/lib/http/action-state";
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
  return runActionThenGo(async () => {
    await leaveTeam(await apiTeam(values.team));
    return "/";
  }, values);
}

export async function deleteTeamAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => {
    await deleteTeam(await apiTeam(values.team), values);
    return "/";
  }, values);
}
