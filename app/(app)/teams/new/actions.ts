"use server";
import { formAction } from "@/lib/api/form";
import { createTeamOp } from "@/lib/api/operations/teams";

export const createTeamAction = formAction(createTeamOp, { done: (team) => ({ go: `/t/${team.slug}` }) });
