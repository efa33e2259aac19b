"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { updateHostAgent } from "@/lib/data/host-agent-update";
import { actOnContainer, removeHostImage, revealContainerEnv } from "@/lib/data/host-calls";
import { type InstallCommand, newInstallCommand } from "@/lib/data/host-enrollment";
import { addHost, removeHost, renameHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { runAction, runActionThenGo, type ActionState } from "@/lib/http/action-state";
import { CONTAINER_ACTIONS, type ContainerAction } from "@/lib/hosts/protocol";
import { ValidationError } from "@/lib/errors";
import { formObject } from "@/lib/validation/parse";

/** What the page shows once: the install command (only its token's hash is kept). */
function installData(team: string, host: { id: string; name: string }, install: InstallCommand): Record<string, string> {
  return {
    curl: install.curl,
    wget: install.wget,
    expiresAt: install.expiresAt.toISOString(),
    hostPath: `/t/${team}/hosts/${host.id}`,
    name: host.name,
    ...(install.warning ? { warning: install.warning } : {}),
  };
}

export async function addHostAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const host = await addHost(await apiTeam(values.team), values);
    revalidatePath(`/t/${values.team}/hosts`);
    return { message: `${host.name} added. Run its install command on the machine:`, data: installData(values.team ?? "", host, host.install) };
  }, values);
}

export async function newInstallCommandAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const hostId = values.hostId ?? "";
    const install = await newInstallCommand(await apiTeam(values.team), hostId);
    return {
      message: "A new install command; the earlier one no longer works.",
      data: installData(values.team ?? "", { id: hostId, name: install.name }, install),
    };
  }, values);
}

export async function updateAgentAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const { from, to } = await updateHostAgent(await apiTeam(values.team), values.hostId ?? "");
    revalidatePath(`/t/${values.team}/hosts`, "layout");
    return { message: `Agent updated from ${from} to ${to}.` };
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
