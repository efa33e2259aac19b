"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { applyImport, cloneEnvironment, previewImport, promoteVariables } from "@/lib/data/env-transfer";
import { runAction, runActionThenGo, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

export async function promoteAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  const keys = form.getAll("keys").map(String);
  return runAction(async () => {
    const { promoted } = await promoteVariables(await apiTeam(values.team), values.project ?? "", values.from ?? "", values.to ?? "", { keys });
    revalidatePath(`/t/${values.team}/projects/${values.project}`, "layout");
    return { message: `Promoted ${promoted} key${promoted === 1 ? "" : "s"} to ${values.to}.` };
  }, values);
}

export async function previewImportAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const p = await previewImport(await apiTeam(values.team), values.environmentId ?? "", values.dotenv ?? "");
    return { data: { preview: JSON.stringify(p) } };
  }, values);
}

export async function applyImportAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  const secretKeys = form.getAll("secretKeys").map(String);
  return runAction(async () => {
    const r = await applyImport(await apiTeam(values.team), values.environmentId ?? "", values.dotenv ?? "", secretKeys, { force: values.force === "on" });
    revalidatePath(values.path ?? "/");
    return { message: `Imported: ${r.written} of ${r.total} variables changed.` };
  }, values);
}

export async function cloneEnvironmentAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runActionThenGo(async () => {
    const env = await cloneEnvironment(await apiTeam(values.team), values.project ?? "", values.from ?? "", {
      name: values.name,
      withSecrets: values.withSecrets === "on",
    });
    return `/t/${values.team}/projects/${values.project}/${env.slug}`;
  }, values);
}
