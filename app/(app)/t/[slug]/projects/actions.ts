"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { deleteEnvironment } from "@/lib/data/delete-environment";
import { deleteProject } from "@/lib/data/delete-project";
import { createEnvironment, createProject, renameProject, setEnvironmentProtected, setProjectArchived } from "@/lib/data/projects";
import { runAction, runActionThenGo, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

export async function createProjectAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => `/t/${values.team}/projects/${(await createProject(await apiTeam(values.team), values)).slug}`, values);
}

export async function renameProjectAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await renameProject(await apiTeam(values.team), values.project ?? "", values);
    revalidatePath(`/t/${values.team}/projects`, "layout");
    return { message: "Project renamed." };
  }, values);
}

export async function archiveProjectAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await setProjectArchived(await apiTeam(values.team), values.project ?? "", values.archived === "true");
    revalidatePath(`/t/${values.team}/projects`, "layout");
    return { message: values.archived === "true" ? "Project archived." : "Project restored." };
  }, values);
}

export async function createEnvironmentAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const env = await createEnvironment(await apiTeam(values.team), values.project ?? "", { name: values.name, protected: values.protected === "on" });
    revalidatePath(`/t/${values.team}/projects/${values.project}`);
    return { message: `${env.name} created.` };
  }, values);
}

export async function protectEnvironmentAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await setEnvironmentProtected(await apiTeam(values.team), values.project ?? "", values.env ?? "", values.protected === "true");
    revalidatePath(`/t/${values.team}/projects/${values.project}`, "layout");
  }, values);
}

export async function deleteProjectAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => {
    await deleteProject(await apiTeam(values.team), values.project ?? "", values);
    return `/t/${values.team}/projects`;
  }, values);
}

export async function deleteEnvironmentAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => {
    await deleteEnvironment(await apiTeam(values.team), values.project ?? "", values.env ?? "", values);
    return `/t/${values.team}/projects/${values.project}`;
  }, values);
}
