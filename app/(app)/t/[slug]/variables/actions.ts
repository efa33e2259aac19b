"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { deleteVariable, restoreVariableVersion, setVariable, type OwnerRef } from "@/lib/data/variables";
import { ValidationError } from "@/lib/errors";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

/** The owner a variable form is about: `scope` plus that scope's id (none for team variables). */
function ownerRef(v: Record<string, string>): OwnerRef {
  switch (v.scope) {
    case "TEAM":
      return { scope: "TEAM" };
    case "PROJECT":
      return { scope: "PROJECT", projectId: v.ownerId ?? "" };
    case "ENVIRONMENT":
      return { scope: "ENVIRONMENT", environmentId: v.ownerId ?? "" };
    case "SERVICE":
      return { scope: "SERVICE", serviceId: v.ownerId ?? "" };
    default:
      throw new ValidationError("Unknown variable scope.");
  }
}

export async function setVariableAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const row = await setVariable(await apiTeam(values.team), ownerRef(values), values);
    revalidatePath(values.path ?? "/");
    return { message: `${row.key} saved.` };
  }, { ...values, value: values.secret ? "" : (values.value ?? "") });
}

export async function deleteVariableAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await deleteVariable(await apiTeam(values.team), ownerRef(values), values.key ?? "");
    revalidatePath(values.path ?? "/");
  }, values);
}

export async function restoreVariableAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const row = await restoreVariableVersion(await apiTeam(values.team), ownerRef(values), values.versionId ?? "");
    revalidatePath(values.path ?? "/");
    return { message: `${row.key} restored.` };
  }, values);
}
