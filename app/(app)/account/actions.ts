"use server";
import { revalidatePath } from "next/cache";
import { apiSession, apiUser } from "@/lib/auth/session";
import { changePassword, updateProfile } from "@/lib/data/users";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

export async function updateProfileAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await updateProfile(await apiUser(), values);
    revalidatePath("/", "layout");
    return { message: "Name saved." };
  }, values);
}

export async function changePasswordAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const { user, sessionId } = await apiSession();
    await changePassword(user, values, sessionId);
    return { message: "Password changed. Other sessions were signed out." };
  }, values);
}
