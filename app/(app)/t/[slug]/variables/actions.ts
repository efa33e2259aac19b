"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { deleteVariable, ownerRefOf, restoreVariableVersion, setVariable } from "@/lib/data/variables";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

const ownerRef = (v: Record<string, string>) => ownerRefOf(v.scope, v.ownerId);

export async function setVariableAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(
    async () => {
      const row = await setVariable(await apiTeam(values.team), ownerRef(values), values);
      revalidatePath(values.path ?? "/");
      return { message: `${row.key} saved.` };
    },
    { ...values, value: values.secret ? "" : (values.value ?? "") },
  );
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
