"use server";
// Variables at each of their four places (team, project, environment, service): server actions made from
// that place's operations (lib/api/operations/variables.ts). A page hands its variable editor the actions
// of the place it shows; the editor's form names the place by slugs, a service by its id (`ownerId`).
import { formAction } from "@/lib/api/form";
import { variableOpsByScope } from "@/lib/api/operations/variables";

const { TEAM, PROJECT, ENVIRONMENT, SERVICE } = variableOpsByScope;

type Values = Record<string, string>;
const saved = { done: (row: { key: string }, v: Values) => ({ revalidate: v.path ?? "/", message: `${row.key} saved.` }) };
const removed = { done: (_r: unknown, v: Values) => ({ revalidate: v.path ?? "/" }) };
const restored = { done: (row: { key: string }, v: Values) => ({ revalidate: v.path ?? "/", message: `${row.key} restored.` }) };
const service = (v: Values) => ({ ...v, serviceId: v.ownerId });

export const setTeamVariableAction = formAction(TEAM.set, saved);
export const deleteTeamVariableAction = formAction(TEAM.remove, removed);
export const restoreTeamVariableAction = formAction(TEAM.restore, restored);

export const setProjectVariableAction = formAction(PROJECT.set, saved);
export const deleteProjectVariableAction = formAction(PROJECT.remove, removed);
export const restoreProjectVariableAction = formAction(PROJECT.restore, restored);

export const setEnvironmentVariableAction = formAction(ENVIRONMENT.set, saved);
export const deleteEnvironmentVariableAction = formAction(ENVIRONMENT.remove, removed);
export const restoreEnvironmentVariableAction = formAction(ENVIRONMENT.restore, restored);

export const setServiceVariableAction = formAction(SERVICE.set, { ...saved, input: service });
export const deleteServiceVariableAction = formAction(SERVICE.remove, { ...removed, input: service });
export const restoreServiceVariableAction = formAction(SERVICE.restore, { ...restored, input: service });
