"use server";
// The form's hidden `team` field names the team; the chain (lib/api/invoke.ts) decides whether the caller may touch it.
import { formAction } from "@/lib/api/form";
import { deleteTeamOp, leaveTeamOp, renameTeamOp } from "@/lib/api/operations/teams";

// The team's name is in the header and the team menu: the whole layout is rendered again.
export const renameTeamAction = formAction(renameTeamOp, { done: () => ({ message: "Team renamed.", revalidate: ["/", "layout"] }) });

export const leaveTeamAction = formAction(leaveTeamOp, { done: () => ({ go: "/" }) });

export const deleteTeamAction = formAction(deleteTeamOp, { done: () => ({ go: "/" }) });
