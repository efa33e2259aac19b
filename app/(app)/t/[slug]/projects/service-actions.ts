"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { deployServiceNow, redeployService } from "@/lib/data/deploy-service";
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

export async function deployServiceAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await deployServiceNow(await apiTeam(values.team), values.serviceId ?? "");
    revalidatePath(envPath(values));
    return { message: "Deployed." };
  }, values);
}

export async function deployAllPendingAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const ctx = await apiTeam(values.team);
    const ids = (values.serviceIds ?? "").split(",").filter(Boolean);
    for (const id of ids) await redeployService(ctx, id);
    revalidatePath(envPath(values));
    return { message: `Redeployed ${ids.length} service${ids.length === 1 ? "" : "s"} (git services: queued, see their deployments).` };
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
