"use server";
import { formAction } from "@/lib/api/form";
import { signUpOp } from "@/lib/api/operations/account";

/** Makes the account; the form then signs in with the same credentials (components/auth/sign-up-form.tsx). */
export const signUpAction = formAction(signUpOp);
