"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { actOnContainer, removeHostImage, revealContainerEnv } from "@/lib/data/host-calls";
import { createHost, removeHost, renameHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { runAction, runActionThenGo, type ActionState } from "@/lib/http/action-state";
import { CONTAINER_ACTIONS, type ContainerAction } from "@/lib/hosts/protocol";
import { ValidationError } from "@/lib/errors";
import { formObject } from "@/lib/validation/parse";

export async function addHostAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const host = await createHost(await apiTeam(values.team), values);
    revalidatePath(`/t/${values.team}/hosts`);
    return {
      message: `${host.name} added. Run this on the host (it needs Docker, Node.js 20 and a checkout of Berth); it appears here within seconds:`,
      data: { url: host.command },
    };
  }, values);
}

export async function renameHostAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await renameHost(await apiTeam(values.team), values.hostId ?? "", values);
    revalidatePath(`/t/${values.team}/hosts`, "layout");
    return { message: "Host renamed." };
  }, values);
}

export async function hostDeploySettingsAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await updateHostDeploySettings(await apiTeam(values.team), values.hostId ?? "", values);
    revalidatePath(`/t/${values.team}/hosts`, "layout");
    return { message: "Saved. Service URLs change with each service's next deployment." };
  }, values);
}

export async function removeHostAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => {
    await removeHost(await apiTeam(values.team), values.hostId ?? "");
    return `/t/${values.team}/hosts`;
  }, values);
}

export async function containerAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const action = values.action as ContainerAction;
    if (!CONTAINER_ACTIONS.includes(action)) throw new ValidationError("Unknown action.");
    await actOnContainer(await apiTeam(values.team), values.hostId ?? "", values.dockerId ?? "", action);
    revalidatePath(`/t/${values.team}/hosts/${values.hostId}`, "layout");
  }, values);
}

export async function removeImageAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await removeHostImage(await apiTeam(values.team), values.hostId ?? "", values.imageId ?? "");
    revalidatePath(`/t/${values.team}/hosts/${values.hostId}/images`);
    return { message: "Image removed." };
  }, values);
}

export async function revealEnvAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const env = await revealContainerEnv(await apiTeam(values.team), values.hostId ?? "", values.dockerId ?? "");
    return { data: Object.fromEntries(env.map((e) => [e.name, e.value])) };
  }, values);
}
