"use server";
import { apiUser } from "@/lib/auth/session";
import { createTeam } from "@/lib/data/teams";
import { runActionThenGo, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

export async function createTeamAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => `/t/${(await createTeam(await apiUser(), values)).slug}`, values);
}
