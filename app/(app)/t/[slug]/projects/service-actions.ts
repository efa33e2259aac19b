"use server";
// Image services and the environment page's deploy buttons: each action authenticates itself, then calls the data layer.
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { deployImage, deployService } from "@/lib/data/deployments";
import { createService, deleteService, updateService } from "@/lib/data/services";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

const envPath = (v: Record<string, string>) => `/t/${v.team}/projects/${v.project}/${v.env}`;

export async function createServiceAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const s = await createService(await apiTeam(values.team), values.project ?? "", values.env ?? "", values);
    revalidatePath(envPath(values));
    return { message: `${s.name} added. Deploy it when its configuration is ready.` };
  }, values);
}

/** An image service's Deploy / Redeploy button: the deployment is queued; the page follows it live. */
export async function deployImageAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const d = await deployImage(await apiTeam(values.team), values.serviceId ?? "");
    revalidatePath(envPath(values));
    revalidatePath(`${envPath(values)}/services/${values.service}`);
    return { message: `Deployment #${d.number} queued.` };
  }, values);
}

export async function deployAllPendingAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const ctx = await apiTeam(values.team);
    const ids = (values.serviceIds ?? "").split(",").filter(Boolean);
    for (const id of ids) await deployService(ctx, id);
    revalidatePath(envPath(values));
    return { message: `Queued ${ids.length} deployment${ids.length === 1 ? "" : "s"}: each takes over once healthy.` };
  }, values);
}

export async function deleteServiceAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await deleteService(await apiTeam(values.team), values.serviceId ?? "");
    revalidatePath(envPath(values));
  }, values);
}

export async function updateServiceAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await updateService(await apiTeam(values.team), values.serviceId ?? "", values);
    revalidatePath(envPath(values));
    return { message: "Saved. Redeploy to apply." };
  }, values);
}
