"use server";
import { signUp } from "@/lib/data/users";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

export async function signUpAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await signUp(values);
  }, values);
}
