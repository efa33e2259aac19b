"use server";
import { formAction } from "@/lib/api/form";
import { changePasswordOp, updateProfileOp } from "@/lib/api/operations/account";

// The header shows the name: the whole layout is rendered again.
export const updateProfileAction = formAction(updateProfileOp, { done: () => ({ message: "Name saved.", revalidate: ["/", "layout"] }) });

export const changePasswordAction = formAction(changePasswordOp, { done: () => ({ message: "Password changed. Other sessions were signed out." }) });
